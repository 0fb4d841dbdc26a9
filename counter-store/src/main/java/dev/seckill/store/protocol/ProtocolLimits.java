package dev.seckill.store.protocol;

/**
 * How much one client may ask the decoder to hold. Every limit is checked when the header that
 * claims a size is read, before any memory is set aside for it, so a connection that lies about
 * sizes costs a few bytes, not the claimed amount.
 *
 * @param maxBulkBytes   largest bulk string, in bytes (Redis: proto-max-bulk-len)
 * @param maxArgs        most elements in one command array
 * @param maxInlineBytes longest inline command line, not counting its line ending
 */
public record ProtocolLimits(int maxBulkBytes, int maxArgs, int maxInlineBytes) {

    private static final ProtocolLimits DEFAULTS = new ProtocolLimits(1 << 20, 65_536, 64 << 10);

    public ProtocolLimits {
        // a bulk is copied into one byte[], whose largest safe size is a little under Integer.MAX_VALUE
        if (maxBulkBytes < 1 || maxBulkBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBulkBytes out of range: " + maxBulkBytes);
        }
        if (maxArgs < 1) {
            throw new IllegalArgumentException("maxArgs must be positive: " + maxArgs);
        }
        if (maxInlineBytes < 1) {
            throw new IllegalArgumentException("maxInlineBytes must be positive: " + maxInlineBytes);
        }
    }

    /** 1 MiB per bulk, 65,536 arguments per command, 64 KiB per inline line. */
    public static ProtocolLimits defaults() {
        return DEFAULTS;
    }
}
