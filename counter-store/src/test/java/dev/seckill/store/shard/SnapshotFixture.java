package dev.seckill.store.shard;

import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.inventory.BookSettings;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small shard with a bit of everything a snapshot holds (SKUs with holders, reservations in
 * every state, a multi-SKU reservation, remembered refusals and restocks, acknowledged and
 * unacknowledged feed rows, counters with bytes of 0x80 and above and a NUL), built by applying
 * commands at fixed store times: the same script gives the same state in any version.
 *
 * <p>{@code src/test/resources/snapshots/format-2.snapshot} is this shard written by the code
 * before snapshot format 3 (commit adcbd40): {@link #main} writes it with whatever code it is
 * compiled against.
 */
final class SnapshotFixture {
    static final long START = 1_700_000_000_000L;
    /** A SKU and a counter key with bytes that modified UTF-8 wrote as two bytes each. */
    static final String LATIN_SKU = "caf\u00e9-\u00ff";
    static final String LATIN_KEY = "\u00e9".repeat(100) + "\u0000\u0080";

    private static final String[][] SCRIPT = {
            {"INV.CREATE", "phone-x", "100"},
            {"INV.CREATE", LATIN_SKU, "50"},
            {"INV.CREATE", "case", "10"},
            {"INV.RESERVE", "phone-x", "2", "order-1", "USER", "alice", "LIMIT", "2", "TTL", "900000"},
            {"INV.RESERVE", "phone-x", "1", "order-2", "USER", "bob", "LIMIT", "2"},
            {"INV.CONFIRM", "order-1"},
            {"INV.RESERVE", "phone-x", "1", "order-3", "USER", "alice", "LIMIT", "2"},
            {"INV.DEDUCT", "case", "3", "order-4", "USER", "carol"},
            {"INV.ACK", "3"},
            {"INV.RESERVEALL", "order-5", "USER", "d\u00e4ve", "TTL", "60000", "ITEMS", "phone-x", "1", LATIN_SKU, "2"},
            {"INV.CANCEL", "order-2"},
            {"INV.RESTOCK", "case", "5", "restock-1"},
            {"INV.RESTOCK", "case", "-100", "restock-2"},
            {"INV.RESERVE", LATIN_SKU, "1", "order-6", "TTL", "1000"},
            {"SET", "views", "42"},
            {"SET", LATIN_KEY, "-7"},
            {"INCRBY", "balance", "9000000000"},
            {"INCR", "views"},
    };

    private SnapshotFixture() {
    }

    /** The shard after the script; order-6 has expired by then. */
    static ShardState build() throws CommandException {
        ShardState state = new ShardState(BookSettings.defaults());
        CommandParser parser = new CommandParser();
        long now = START;
        for (String[] words : SCRIPT) {
            state.advanceTo(now += 10);
            state.execute(parser.parse(bytes(words)));
        }
        state.advanceTo(now + 5_000);
        return state;
    }

    static byte[][] bytes(String... words) {
        byte[][] args = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            args[i] = words[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return args;
    }

    /** Writes the fixture's snapshot to {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        try (OutputStream file = Files.newOutputStream(Path.of(args[0]));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file))) {
            build().writeTo(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
