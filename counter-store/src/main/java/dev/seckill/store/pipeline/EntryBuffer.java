package dev.seckill.store.pipeline;

import dev.seckill.store.command.Op;
import dev.seckill.store.replication.LogEntryFormat;

import java.util.Arrays;

/**
 * Packs commands into the bytes of one log entry ({@link LogEntryFormat}). Reused from batch to
 * batch by the batching stage, so it only allocates when a batch is larger than any before.
 */
final class EntryBuffer {
    private byte[] bytes = new byte[1 << 16];
    private int length;
    private int count;

    void begin(long leaderTime) {
        length = 0;
        count = 0;
        ensure(LogEntryFormat.HEADER_BYTES);
        bytes[length++] = LogEntryFormat.FORMAT;
        putLong(leaderTime);
        putLong(0); // origin and batch number, set by the log appender
        putLong(0);
        putInt(0); // command count, patched by finish()
    }

    /**
     * Adds a command: its op code, then every argument but the name; {@code size} is its
     * {@link LogEntryFormat#commandBytes}.
     */
    void add(Op op, byte[][] args, int size) {
        ensure(size);
        bytes[length++] = (byte) op.ordinal();
        putInt(args.length - 1);
        for (int i = 1; i < args.length; i++) {
            byte[] a = args[i];
            putInt(a.length);
            System.arraycopy(a, 0, bytes, length, a.length);
            length += a.length;
        }
        count++;
    }

    int count() {
        return count;
    }

    int length() {
        return length;
    }

    /** A copy of the entry's bytes, with the command count filled in. */
    byte[] finish() {
        int at = LogEntryFormat.COUNT_AT;
        bytes[at] = (byte) (count >>> 24);
        bytes[at + 1] = (byte) (count >>> 16);
        bytes[at + 2] = (byte) (count >>> 8);
        bytes[at + 3] = (byte) count;
        return Arrays.copyOf(bytes, length);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    private void putInt(int v) {
        bytes[length++] = (byte) (v >>> 24);
        bytes[length++] = (byte) (v >>> 16);
        bytes[length++] = (byte) (v >>> 8);
        bytes[length++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }
}
