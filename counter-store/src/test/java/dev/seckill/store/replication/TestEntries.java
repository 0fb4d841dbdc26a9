package dev.seckill.store.replication;

import dev.seckill.store.command.Op;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Log entries written byte by byte in {@link LogEntryFormat}, as an attacker or a damaged disk
 * would produce them, without the store's own entry builder.
 */
public final class TestEntries {
    private TestEntries() {
    }

    /** One command: {@code op} with {@code args} (the name left out, as the format stores it). */
    public static byte[] entry(Op op, String... args) {
        byte[][] raw = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return entry(op.ordinal(), raw);
    }

    /** One command with any op code, known or not. */
    public static byte[] entry(int opCode, byte[]... args) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(LogEntryFormat.FORMAT);
            out.writeLong(0); // leader time: stamped by the leader
            out.writeLong(0x5eedL); // origin: no process of the group
            out.writeLong(1); // batch
            out.writeInt(1); // one command
            out.writeByte(opCode);
            out.writeInt(args.length);
            for (byte[] a : args) {
                out.writeInt(a.length);
                out.write(a);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An entry with no command (what a tick is). */
    public static byte[] empty() {
        byte[] e = new byte[LogEntryFormat.HEADER_BYTES];
        e[0] = LogEntryFormat.FORMAT;
        return e;
    }
}
