package dev.seckill.service.sale;

import java.time.Duration;
import java.time.Instant;

/**
 * A flash sale as the {@code sale} table keeps it. Its SKU lives in the store with the sale's
 * stock; the store, not this record, has the live figures.
 *
 * @param units          the units put on sale so far (the stock at creation plus every restock)
 * @param perUserLimit   the most units one user may hold or buy, null for no limit
 * @param endsAt         null: the sale never ends
 * @param reservationTtl how long an order holds its units before the store releases them
 */
public record Sale(String id, String sku, long units, Integer perUserLimit, Instant startsAt, Instant endsAt,
                   Duration reservationTtl, Instant createdAt, Instant updatedAt) {

    /** Where {@code now} falls in the sale's window. */
    public Phase phaseAt(Instant now) {
        if (now.isBefore(startsAt)) {
            return Phase.SCHEDULED;
        }
        if (endsAt != null && !now.isBefore(endsAt)) {
            return Phase.ENDED;
        }
        return Phase.ACTIVE;
    }

    public enum Phase {
        SCHEDULED, ACTIVE, ENDED
    }
}
