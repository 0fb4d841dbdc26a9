package dev.seckill.service.api;

/**
 * The ids the API takes (sale ids, SKUs, user ids): 1 to 128 characters of letters, digits and
 * {@code . _ - ~ :}, so they fit the store (1..128 bytes) and sit in a URL path unescaped.
 */
public final class Ids {
    public static final String PATTERN = "[A-Za-z0-9._~:-]{1,128}";
    public static final String MESSAGE = "must be 1 to 128 letters, digits or . _ - ~ :";

    private Ids() {
    }

    /** True if {@code id} matches {@link #PATTERN} (checked by hand: it runs on every purchase). */
    public static boolean valid(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            if (!idChar(id.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** One character of {@link #PATTERN}'s class: a letter, a digit or {@code . _ ~ : -}. */
    public static boolean idChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '~' || c == ':' || c == '-';
    }

    /** Throws 400 naming {@code field} unless {@code id} is a valid id. */
    public static String require(String field, String id) {
        if (!valid(id)) {
            throw ApiException.invalid(field, MESSAGE);
        }
        return id;
    }
}
