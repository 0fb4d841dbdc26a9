package dev.seckill.service.store;

/**
 * What {@code INV.RESERVATION} tells about a request id: the first line's SKU and quantity, the
 * user, the state ({@code RESERVED}, {@code CONFIRMED}, {@code CANCELLED}, {@code EXPIRED}) and
 * the store's times in epoch milliseconds ({@code expiresAt} null: no TTL).
 */
public record StoredReservation(String requestId, String sku, long quantity, String user, String state,
                                long createdAt, Long expiresAt, long updatedAt) {
}
