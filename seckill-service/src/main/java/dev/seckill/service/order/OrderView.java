package dev.seckill.service.order;

import dev.seckill.service.store.StoredReservation;

import java.time.Instant;

/**
 * An order as the API shows it. Orders live in the store (a reservation under the order id), so
 * they survive a restart of the service.
 *
 * @param status RESERVED, CONFIRMED, CANCELLED or EXPIRED
 */
public record OrderView(String orderId, String saleId, String userId, long quantity, String status,
                        Instant createdAt, Instant expiresAt, Instant updatedAt) {

    static OrderView of(String saleId, StoredReservation r) {
        return new OrderView(r.requestId(), saleId, r.user(), r.quantity(), r.state(), Instant.ofEpochMilli(r.createdAt()),
                r.expiresAt() == null ? null : Instant.ofEpochMilli(r.expiresAt()), Instant.ofEpochMilli(r.updatedAt()));
    }

    /**
     * The answer to the purchase that created it: always RESERVED and without {@code updatedAt},
     * so a replay of the same Idempotency-Key gets the very same body however the order moved on.
     */
    static OrderView created(String saleId, StoredReservation r) {
        return new OrderView(r.requestId(), saleId, r.user(), r.quantity(), "RESERVED",
                Instant.ofEpochMilli(r.createdAt()),
                r.expiresAt() == null ? null : Instant.ofEpochMilli(r.expiresAt()), null);
    }
}
