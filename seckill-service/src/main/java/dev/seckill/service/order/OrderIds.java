package dev.seckill.service.order;

import dev.seckill.service.api.RequestIds;

import java.util.regex.Pattern;

/**
 * An order's id is the store's request id, derived from the sale, the user and the
 * Idempotency-Key ({@link RequestIds}): the same purchase retried reaches the same request id.
 * The user is part of it, so another user sending the same key gets an order of their own, never
 * someone else's.
 */
final class OrderIds {
    private static final Pattern SHAPE = Pattern.compile("o-[A-Za-z0-9_-]{22}");

    private OrderIds() {
    }

    static String of(String saleId, String userId, String idempotencyKey) {
        return RequestIds.derive("o-", saleId, userId, idempotencyKey);
    }

    /** True if {@code id} could be an order id (anything else is no order of ours). */
    static boolean looksLikeOne(String id) {
        return id != null && SHAPE.matcher(id).matches();
    }
}
