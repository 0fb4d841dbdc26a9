package dev.seckill.store.replication;

import dev.seckill.store.command.Op;

import java.util.Arrays;

/**
 * The bytes of one log entry: the leader's clock, then the commands as the clients sent them.
 *
 * <pre>
 *   byte   format (1)
 *   long   leader time, epoch milliseconds (the only clock the state machine ever sees); the
 *          leader stamps it when it accepts the entry, whichever node built it
 *   long   origin: the process that built the entry (random per process)
 *   long   batch number within that process: with the origin, it finds the clients waiting
 *   int    number of commands
 *   per command: byte op (its {@link Op} ordinal), int argument count (the name excluded),
 *                then per argument: int length, bytes
 * </pre>
 *
 * Arguments are stored raw and parsed again when applied: the parser is deterministic, so every
 * replica reads the same commands, and the log keeps exactly what the client asked. The name is
 * stored as the op's code, so applying never looks a name up.
 */
public final class LogEntryFormat {
    public static final byte FORMAT = 1;
    public static final int HEADER_BYTES = 1 + 8 + 8 + 8 + 4;
    static final int TIME_AT = 1;
    static final int ORIGIN_AT = 9;
    static final int BATCH_AT = 17;
    public static final int COUNT_AT = 25;

    private LogEntryFormat() {
    }

    private static final byte[] NO_NAME = new byte[0];

    /** Reads an entry; the visitor sees the time first, then each command in order. */
    public static void read(byte[] entry, Visitor visitor) {
        if (entry[0] != FORMAT) {
            throw new IllegalStateException("unknown log entry format " + entry[0]);
        }
        long time = getLong(entry, TIME_AT);
        int count = getInt(entry, COUNT_AT);
        int at = HEADER_BYTES;
        visitor.time(time);
        for (int i = 0; i < count; i++) {
            Op op = Op.byCode(entry[at]);
            int argc = getInt(entry, at + 1);
            at += 5;
            byte[][] args = new byte[argc + 1][];
            args[0] = NO_NAME;
            for (int a = 1; a <= argc; a++) {
                int len = getInt(entry, at);
                args[a] = Arrays.copyOfRange(entry, at + 4, at + 4 + len);
                at += 4 + len;
            }
            visitor.command(i, op, args);
        }
    }

    /**
     * The bytes a command takes in an entry: its op code and argument count (5), then each
     * argument but the name as its length (4) and its bytes. Long: a client may claim more than
     * 2 GB in one command before anything checks it.
     */
    public static long commandBytes(byte[][] args) {
        long size = 5;
        for (int i = 1; i < args.length; i++) {
            size += 4 + args[i].length;
        }
        return size;
    }

    /** Writes who built the entry, so the node it came from can answer its clients. */
    public static void setOrigin(byte[] entry, long origin, long batch) {
        putLong(entry, ORIGIN_AT, origin);
        putLong(entry, BATCH_AT, batch);
    }

    public static long origin(byte[] entry) {
        return getLong(entry, ORIGIN_AT);
    }

    public static long batch(byte[] entry) {
        return getLong(entry, BATCH_AT);
    }

    public static long time(byte[] entry) {
        return getLong(entry, TIME_AT);
    }

    /** Replaces the entry's clock (the leader's stamp). */
    public static void setTime(byte[] entry, long time) {
        putLong(entry, TIME_AT, time);
    }

    static long getLong(byte[] b, int at) {
        return ((long) getInt(b, at) << 32) | (getInt(b, at + 4) & 0xFFFFFFFFL);
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static int getInt(byte[] b, int at) {
        return (b[at] << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    /** What {@link #read} finds in an entry. */
    public interface Visitor {
        void time(long leaderTime);

        /** One command; {@code args[0]} (the name) is empty, the op says what it is. */
        void command(int index, Op op, byte[][] args);
    }
}
