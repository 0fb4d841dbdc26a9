package dev.seckill.store.replication;

import java.nio.ByteBuffer;

/**
 * The bytes of one log entry: the leader's clock, then the commands as the clients sent them.
 *
 * <pre>
 *   byte   format (1)
 *   long   leader time, epoch milliseconds (the only clock the state machine ever sees)
 *   int    number of commands
 *   per command: int argc, then per argument: int length, bytes
 * </pre>
 *
 * Arguments are stored raw and parsed again when applied: the parser is deterministic, so every
 * replica reads the same commands, and the log keeps exactly what the client asked.
 */
public final class LogEntryFormat {
    public static final byte FORMAT = 1;
    public static final int HEADER_BYTES = 1 + 8 + 4;

    private LogEntryFormat() {
    }

    /** Reads an entry; the visitor sees the time first, then each command in order. */
    public static void read(ByteBuffer entry, Visitor visitor) {
        byte format = entry.get();
        if (format != FORMAT) {
            throw new IllegalStateException("unknown log entry format " + format);
        }
        long time = entry.getLong();
        int count = entry.getInt();
        visitor.time(time);
        for (int i = 0; i < count; i++) {
            int argc = entry.getInt();
            byte[][] args = new byte[argc][];
            for (int a = 0; a < argc; a++) {
                byte[] arg = new byte[entry.getInt()];
                entry.get(arg);
                args[a] = arg;
            }
            visitor.command(i, args);
        }
    }

    /** What {@link #read} finds in an entry. */
    public interface Visitor {
        void time(long leaderTime);

        void command(int index, byte[][] args);
    }
}
