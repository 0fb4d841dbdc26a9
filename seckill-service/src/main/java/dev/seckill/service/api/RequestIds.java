package dev.seckill.service.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Store request ids derived from a caller's {@code Idempotency-Key} and what it is about (the sale,
 * the user): the same call retried reaches the same request id, so the store's dedupe answers it
 * with its first answer, also after a restart. 128 bits of SHA-256 over the length-prefixed parts
 * make an accidental collision out of reach, and the id fits the store (24 characters).
 */
public final class RequestIds {
    /** One digest per thread: looking one up per call (the provider search) cost as much as hashing. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });

    private RequestIds() {
    }

    /** Throws 400 naming the header unless {@code key} is 1 to 128 visible ASCII characters. */
    public static String requireIdempotencyKey(String key) {
        if (!validIdempotencyKey(key)) {
            throw ApiException.invalid("Idempotency-Key", "the header is required: 1 to 128 visible ASCII characters");
        }
        return key;
    }

    private static boolean validIdempotencyKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 128) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** {@code prefix} + 22 URL-safe characters from the parts. */
    public static String derive(String prefix, String... parts) {
        MessageDigest sha = SHA_256.get();
        sha.reset(); // in case a call before failed halfway
        for (String part : parts) {
            byte[] b = part.getBytes(StandardCharsets.UTF_8);
            sha.update((byte) (b.length >>> 8));
            sha.update((byte) b.length); // length-prefixed: ("a", "bc") and ("ab", "c") differ
            sha.update(b);
        }
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(sha.digest(), 16));
    }
}
