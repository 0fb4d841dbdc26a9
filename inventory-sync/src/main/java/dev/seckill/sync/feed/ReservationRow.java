package dev.seckill.sync.feed;

import java.util.List;

/**
 * A request id's reservation (or straight sale) as the store holds it.
 *
 * @param state     {@code reserved}, {@code confirmed}, {@code cancelled} or {@code expired} (lower case, as in the RDS)
 * @param user      the USER it was made for, null if none
 * @param expiresAt store time it expires at, 0 for never
 * @param lines     the SKUs and quantities, in the order of the request (one for INV.RESERVE)
 */
public record ReservationRow(long seq, String requestId, String state, String user, long createdAt,
                             long expiresAt, long updatedAt, List<Line> lines) implements FeedRow {

    public ReservationRow {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reservation has at least one line: " + requestId);
        }
        lines = List.copyOf(lines);
    }

    /** Units over all lines. */
    public long quantity() {
        long q = 0;
        for (Line l : lines) {
            q += l.quantity();
        }
        return q;
    }

    /** One SKU of a reservation. */
    public record Line(String sku, long quantity) {
    }
}
