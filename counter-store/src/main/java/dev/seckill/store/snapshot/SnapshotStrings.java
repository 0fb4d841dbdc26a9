package dev.seckill.store.snapshot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * How a snapshot writes its strings (keys, SKU, request and user ids, remembered answers): an int
 * length, then the bytes. The store's strings hold one char per byte (ISO-8859-1, as the parser
 * made them from what the client sent), so every key the parser accepts, of any length and any
 * bytes, is written exactly. Snapshots of format 1 and 2 used {@link DataOutput#writeUTF}, which
 * refuses a string of more than 65,535 encoded bytes (32,768 chars of 0x80 and above): a longer
 * counter key made every snapshot fail. They are still read.
 */
public final class SnapshotStrings {
    /** The first snapshot format whose strings are length-prefixed bytes. */
    public static final int LENGTH_PREFIXED_SINCE = 3;

    private SnapshotStrings() {
    }

    public static void write(DataOutput out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** Reads a string written by a snapshot of {@code format}. */
    public static String read(DataInput in, int format) throws IOException {
        if (format < LENGTH_PREFIXED_SINCE) {
            return in.readUTF();
        }
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("snapshot holds a string of negative length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
