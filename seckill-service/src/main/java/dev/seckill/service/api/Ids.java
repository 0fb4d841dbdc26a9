package dev.seckill.service.api;

/**
 * The ids the API takes (sale ids, SKUs, user ids): 1 to 128 characters of letters, digits and
 * {@code . _ - ~ :}, so they fit the store (1..128 bytes) and sit in a URL path unescaped.
 */
public final class Ids {
    public static final String PATTERN = "[A-Za-z0-9._~:-]{1,128}";
    public static final String MESSAGE = "must be 1 to 128 letters, digits or . _ - ~ :";
    private static final java.util.regex.Pattern COMPILED = java.util.regex.Pattern.compile(PATTERN);

    private Ids() {
    }

    public static boolean valid(String id) {
        return id != null && COMPILED.matcher(id).matches();
    }

    /** Throws 400 naming {@code field} unless {@code id} is a valid id. */
    public static String require(String field, String id) {
        if (!valid(id)) {
            throw ApiException.invalid(field, MESSAGE);
        }
        return id;
    }
}
