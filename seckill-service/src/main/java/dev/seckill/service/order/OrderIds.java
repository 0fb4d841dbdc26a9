package dev.seckill.service.order;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * An order's id is the store's request id, derived from the sale, the user and the
 * Idempotency-Key: the same purchase retried reaches the same request id, so the store's
 * dedupe answers it with its first answer (also after a restart). The user is part of it, so
 * another user sending the same key gets an order of their own, never someone else's.
 * 128 bits of SHA-256 make an accidental collision out of reach; 24 characters fit the store.
 */
final class OrderIds {
    private static final Pattern SHAPE = Pattern.compile("o-[A-Za-z0-9_-]{22}");

    private OrderIds() {
    }

    static String of(String saleId, String userId, String idempotencyKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {saleId, userId, idempotencyKey}) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                sha.update((byte) (b.length >>> 8));
                sha.update((byte) b.length); // length-prefixed: ("a", "bc") and ("ab", "c") differ
                sha.update(b);
            }
            byte[] digest = sha.digest();
            return "o-" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** True if {@code id} could be an order id (anything else is no order of ours). */
    static boolean looksLikeOne(String id) {
        return id != null && SHAPE.matcher(id).matches();
    }
}
