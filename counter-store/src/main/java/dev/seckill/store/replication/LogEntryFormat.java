package dev.seckill.store.replication;

import dev.seckill.store.command.Op;

import java.nio.ByteBuffer;
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
 *
 * <p>{@link #malformation} checks the structure (every count and length inside the entry, every
 * op code known, nothing after the last command) without allocating; {@link #read} is only called
 * on entries that passed it.
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
    /** Op codes are ordinals of {@link Op}: anything at or above this is unknown. */
    private static final int OP_CODES = Op.values().length;
    /** The least a command takes: its op code and its argument count. */
    private static final int COMMAND_BYTES = 5;

    /**
     * What makes the entry structurally unreadable, or null if it is well formed. Reads the
     * buffer's remaining bytes by absolute index (its position is not moved); O(commands +
     * arguments), no allocation unless it finds a fault.
     */
    public static String malformation(ByteBuffer entry) {
        int base = entry.position();
        int n = entry.remaining();
        if (n < HEADER_BYTES) {
            return "it is " + n + " bytes, shorter than the " + HEADER_BYTES + "-byte header";
        }
        if (entry.get(base) != FORMAT) {
            return "unknown format " + entry.get(base);
        }
        int count = entry.getInt(base + COUNT_AT);
        if (count < 0 || count > (n - HEADER_BYTES) / COMMAND_BYTES) {
            return "a command count of " + count + " does not fit in " + n + " bytes";
        }
        int at = HEADER_BYTES;
        for (int i = 0; i < count; i++) {
            if (n - at < COMMAND_BYTES) {
                return "command " + i + " is cut off at byte " + at;
            }
            int code = entry.get(base + at) & 0xFF;
            if (code >= OP_CODES) {
                return "command " + i + " has the unknown op code " + code;
            }
            int argc = entry.getInt(base + at + 1);
            at += COMMAND_BYTES;
            if (argc < 0 || argc > (n - at) / 4) {
                return "command " + i + " claims " + argc + " arguments, more than the entry holds";
            }
            for (int a = 0; a < argc; a++) {
                if (n - at < 4) {
                    return "argument " + a + " of command " + i + " is cut off at byte " + at;
                }
                int len = entry.getInt(base + at);
                if (len < 0 || len > n - at - 4) {
                    return "argument " + a + " of command " + i + " claims " + len + " bytes, more than the entry holds";
                }
                at += 4 + len;
            }
        }
        if (at != n) {
            return (n - at) + " bytes follow the last command";
        }
        return null;
    }

    /** The number of commands an entry says it holds (read from its header). */
    public static int count(ByteBuffer entry) {
        return entry.getInt(entry.position() + COUNT_AT);
    }

    public static long origin(ByteBuffer entry) {
        return entry.getLong(entry.position() + ORIGIN_AT);
    }

    public static long batch(ByteBuffer entry) {
        return entry.getLong(entry.position() + BATCH_AT);
    }

    public static long time(ByteBuffer entry) {
        return entry.getLong(entry.position() + TIME_AT);
    }

    /**
     * Reads an entry that {@link #malformation} found well formed; the visitor sees the time first,
     * then each command in order.
     */
    public static void read(byte[] entry, Visitor visitor) {
        long time = getLong(entry, TIME_AT);
        int count = getInt(entry, COUNT_AT);
        int at = HEADER_BYTES;
        visitor.time(time);
        for (int i = 0; i < count; i++) {
            Op op = Op.byCode(entry[at] & 0xFF);
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
