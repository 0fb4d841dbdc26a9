package dev.seckill.service.order;

import dev.seckill.service.api.Ids;

import java.nio.charset.StandardCharsets;

/**
 * Reads a purchase body the quick way: {@code {"userId": "<id>", "quantity": <n>}}, the members in
 * any order, with any JSON whitespace, and nothing else. It recognises only bodies that are plainly
 * valid (an id of {@link Ids#PATTERN}, 1 <= quantity <= {@value OrderService#MAX_QUANTITY}, no
 * escapes, no other or repeated members); for anything else it answers null, and the caller hands
 * the body to Spring MVC, whose Jackson reading and validation word every refusal as before.
 * So this reader can only make the common case cheaper, never answer differently.
 */
final class PurchaseBody {
    private PurchaseBody() {
    }

    /** The purchase in {@code b}, or null if it is not a plainly valid one. */
    static BuyRequest read(byte[] b) {
        int i = space(b, 0);
        if (i >= b.length || b[i] != '{') {
            return null;
        }
        String userId = null;
        int quantity = 0;
        for (;;) {
            i = space(b, i + 1);
            if (i >= b.length || b[i] != '"') {
                return null;
            }
            int nameEnd = i + 1;
            while (nameEnd < b.length && b[nameEnd] != '"' && b[nameEnd] != '\\') {
                nameEnd++;
            }
            if (nameEnd >= b.length || b[nameEnd] != '"') {
                return null;
            }
            boolean isUser = is(b, i + 1, nameEnd, "userId");
            boolean isQuantity = !isUser && is(b, i + 1, nameEnd, "quantity");
            i = space(b, nameEnd + 1);
            if (i >= b.length || b[i] != ':') {
                return null;
            }
            i = space(b, i + 1);
            if (isUser && userId == null) {
                if (i >= b.length || b[i] != '"') {
                    return null;
                }
                int start = i + 1;
                int end = start;
                while (end < b.length && Ids.idChar(b[end])) {
                    end++;
                }
                if (end >= b.length || b[end] != '"' || end == start || end - start > 128) {
                    return null;
                }
                userId = new String(b, start, end - start, StandardCharsets.ISO_8859_1);
                i = end + 1;
            } else if (isQuantity && quantity == 0) {
                if (i >= b.length || b[i] < '1' || b[i] > '9') {
                    return null;
                }
                long n = 0;
                int digits = 0;
                while (i < b.length && b[i] >= '0' && b[i] <= '9' && digits < 8) {
                    n = n * 10 + (b[i] - '0');
                    digits++;
                    i++;
                }
                if (n > OrderService.MAX_QUANTITY) {
                    return null;
                }
                quantity = (int) n;
            } else {
                return null; // another member, or one seen before
            }
            i = space(b, i);
            if (i >= b.length) {
                return null;
            }
            if (b[i] == '}') {
                break;
            }
            if (b[i] != ',') {
                return null; // also 1.5, 1e3, a ninth digit: not plainly valid
            }
        }
        if (space(b, i + 1) != b.length || userId == null || quantity == 0) {
            return null;
        }
        return new BuyRequest(userId, quantity);
    }

    private static int space(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean is(byte[] b, int from, int to, String name) {
        if (to - from != name.length()) {
            return false;
        }
        for (int k = 0; k < name.length(); k++) {
            if (b[from + k] != name.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
