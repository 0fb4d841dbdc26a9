package dev.seckill.store.inventory;

import dev.seckill.store.protocol.Reply;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place that turns a {@link Reservation} into a reply: {@code INV.RESERVATION}'s map, and
 * the {@code DETAIL} answer of {@code INV.RESERVE}/{@code INV.DEDUCT}, which is that map plus
 * {@code available} and {@code replayed}. Kept apart from the book so that how the book stores
 * reservations can change without touching what clients see.
 */
public final class ReservationReplies {
    private static final Reply REQUEST_ID = Reply.bulk("requestId");
    private static final Reply SKU = Reply.bulk("sku");
    private static final Reply QTY = Reply.bulk("qty");
    private static final Reply ITEMS = Reply.bulk("items");
    private static final Reply USER = Reply.bulk("user");
    private static final Reply STATE = Reply.bulk("state");
    private static final Reply CREATED_AT = Reply.bulk("createdAt");
    private static final Reply EXPIRES_AT = Reply.bulk("expiresAt");
    private static final Reply UPDATED_AT = Reply.bulk("updatedAt");
    private static final Reply AVAILABLE = Reply.bulk("available");
    private static final Reply REPLAYED = Reply.bulk("replayed");
    private static final Reply[] STATES = new Reply[ReservationState.values().length];

    static {
        for (ReservationState s : ReservationState.values()) {
            STATES[s.ordinal()] = Reply.bulk(s.name());
        }
    }

    private ReservationReplies() {
    }

    /** {@code INV.RESERVATION reqId}: the map, or nil for an unknown, forgotten or refused request id. */
    public static Reply reservation(Reservation r) {
        if (r == null) {
            return Reply.NULL;
        }
        return new Reply.MapReply(fields(r, 0));
    }

    /**
     * The {@code DETAIL} answer of a take: a refusal as it is; a success as the reservation's map
     * now, plus {@code available} (the first answer: available after the original take; nil if the
     * request id was made by INV.RESERVEALL, whose answer has no number) and {@code replayed}.
     */
    static Reply detail(Reservation r, boolean replayed) {
        if (r.state == ReservationState.REJECTED) {
            return r.answer();
        }
        List<Reply> f = fields(r, 4);
        f.add(AVAILABLE);
        f.add(r.answeredWithANumber() ? r.answer() : Reply.NULL);
        f.add(REPLAYED);
        f.add(Reply.integer(replayed ? 1 : 0));
        return new Reply.MapReply(f);
    }

    private static List<Reply> fields(Reservation r, int extra) {
        List<Reply> items = new ArrayList<>(r.skus.length * 2);
        for (int i = 0; i < r.skus.length; i++) {
            items.add(Reply.bulk(r.skus[i]));
            items.add(Reply.integer(r.quantities[i]));
        }
        List<Reply> f = new ArrayList<>(18 + extra);
        f.add(REQUEST_ID);
        f.add(Reply.bulk(r.requestId));
        f.add(SKU);
        f.add(Reply.bulk(r.skus[0]));
        f.add(QTY);
        f.add(Reply.integer(r.quantities[0]));
        f.add(ITEMS);
        f.add(new Reply.Array(items));
        f.add(USER);
        f.add(r.user == null ? Reply.NULL : Reply.bulk(r.user));
        f.add(STATE);
        f.add(STATES[r.state.ordinal()]);
        f.add(CREATED_AT);
        f.add(Reply.integer(r.createdAt));
        f.add(EXPIRES_AT);
        f.add(r.expiresAt == 0 ? Reply.NULL : Reply.integer(r.expiresAt));
        f.add(UPDATED_AT);
        f.add(Reply.integer(r.updatedAt));
        return f;
    }
}
