package dev.seckill.store.command;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How a MULTI ... EXEC transaction travels in the log: as the arguments of ONE {@link Op#EXEC}
 * command, so that the batching stage can never split it and a follower reads it back with the
 * same {@link CommandParser} as any other command.
 *
 * <pre>
 *   EXEC  watched-count  (key  counter-version  sku-version) * watched-count
 *         (name  argc  arg * argc) * queued commands
 * </pre>
 *
 * Numbers are decimal text, names as clients send them; a queued command's arguments are exactly
 * the client's. A transaction's size in the log is counted the way a log entry counts a command
 * (four bytes of length per argument), see {@link #argumentBytes}.
 */
public final class TransactionCodec {
    private static final byte[] EXEC = "EXEC".getBytes(StandardCharsets.US_ASCII);
    /** What a watched key's two versions may take in the log at most (two longs in decimal, and their lengths). */
    public static final int VERSION_BYTES = 2 * (4 + 20);

    private TransactionCodec() {
    }

    /** A key WATCH read, with the versions EXEC compares. */
    public record Watched(byte[] key, long counterVersion, long skuVersion) {}

    /** The arguments of the EXEC command that runs {@code queued} (each a client's command, name first). */
    public static byte[][] encode(List<Watched> watched, List<byte[][]> queued) {
        int n = 2 + 3 * watched.size();
        for (byte[][] q : queued) {
            n += 1 + q.length;
        }
        byte[][] a = new byte[n][];
        a[0] = EXEC;
        a[1] = decimal(watched.size());
        int at = 2;
        for (Watched w : watched) {
            a[at++] = w.key();
            a[at++] = decimal(w.counterVersion());
            a[at++] = decimal(w.skuVersion());
        }
        for (byte[][] q : queued) {
            a[at++] = q[0];
            a[at++] = decimal(q.length - 1);
            System.arraycopy(q, 1, a, at, q.length - 1);
            at += q.length - 1;
        }
        return a;
    }

    /** The bytes one queued command adds to the EXEC command in a log entry. */
    public static long queuedBytes(byte[][] args) {
        return argumentBytes(args) + 4 + args[0].length + 4 + 10;
    }

    /** The bytes one watched key adds to the EXEC command in a log entry, at most. */
    public static long watchedBytes(byte[] key) {
        return 4 + key.length + VERSION_BYTES;
    }

    /** What a command's arguments (its name excluded) take in a log entry. */
    public static long argumentBytes(byte[][] args) {
        long n = 0;
        for (int i = 1; i < args.length; i++) {
            n += 4 + args[i].length;
        }
        return n;
    }

    private static byte[] decimal(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }
}
