package dev.seckill.store.replication;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;

/**
 * How large one log entry may be, in one place: Ratis's limits are set from it, and the commands
 * and batches the pipeline builds are checked against it, so they cannot disagree. Ratis refuses
 * an entry over its limit with every command batched in it, and its leader steps down.
 *
 * <p>Constants, not options: every member of a group must accept every entry any member builds
 * (a follower's gRPC message limit bounds what it can receive), so {@code --max-command-bytes}
 * can only lower the command cap below {@link #MAX_COMMAND_BYTES}, never raise the entry limit.
 */
public final class EntryLimits {
    /** The largest serialized entry the log accepts (Ratis's appender buffer byte limit): 4 MiB. */
    public static final int MAX_ENTRY_BYTES = 4 << 20;
    /**
     * The largest command, as encoded in an entry ({@link LogEntryFormat#commandBytes}), and the
     * default of {@code --max-command-bytes}: 4 MiB less 64 KiB (4,128,768 bytes). The 64 KiB hold
     * the entry's header and Ratis's envelope (term, index, client and call id: under 100 bytes).
     */
    public static final int MAX_COMMAND_BYTES = MAX_ENTRY_BYTES - (64 << 10);
    /** Ratis's write buffer must hold an entry and 8 bytes of framing. */
    static final int WRITE_BUFFER_BYTES = 2 * MAX_ENTRY_BYTES;
    /** gRPC messages (an append to a follower, a forwarded entry) must exceed an entry by 1 MB at least. */
    static final int GRPC_MESSAGE_BYTES = 4 * MAX_ENTRY_BYTES;

    private EntryLimits() {
    }

    /** Sets the Ratis server's entry, write buffer and message limits. */
    static void applyTo(RaftProperties p) {
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(MAX_ENTRY_BYTES));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(WRITE_BUFFER_BYTES));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(GRPC_MESSAGE_BYTES));
    }

    /** Sets the message limit of a Ratis client that forwards entries to the leader. */
    static void applyToClient(RaftProperties p) {
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(GRPC_MESSAGE_BYTES));
    }

    /**
     * Refuses a batch or command size that could build an entry over the limit. An entry holds
     * commands up to {@code maxBatchBytes}, or one command alone up to {@code maxCommandBytes}.
     */
    public static void check(String what, long bytes) {
        if (bytes < 1 || bytes > MAX_COMMAND_BYTES) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX_COMMAND_BYTES
                    + " (a log entry holds at most " + MAX_ENTRY_BYTES + " bytes), got " + bytes);
        }
    }
}
