package dev.seckill.store.shard;

import dev.seckill.store.command.CommandParser;
import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.protocol.Reply;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every key the parser accepts can be snapshotted, and snapshots of older formats are still read. */
class SnapshotFormatTest {
    private final CommandParser parser = new CommandParser();

    @Test
    void aSnapshotWrittenBeforeLengthPrefixedStringsIsStillRead() throws Exception {
        ShardState loaded = new ShardState(BookSettings.defaults());
        try (InputStream old = getClass().getResourceAsStream("/snapshots/format-2.snapshot")) {
            assertThat(old).as("test resource").isNotNull();
            DataInputStream in = new DataInputStream(old);
            loaded.readFrom(in, BookSettings.defaults());
            assertThat(in.read()).as("nothing left after the counters").isEqualTo(-1);
        }
        // the same script applied by this version gives the same book and counters, to the byte
        // (WATCH's key versions are not in a format 2 snapshot: they restart from the next entry's
        // log index on every replica alike, see KeyVersions)
        assertThat(bookAndCounters(loaded)).isEqualTo(bookAndCounters(SnapshotFixture.build()));

        assertThat(get(loaded, SnapshotFixture.LATIN_KEY)).isEqualTo("-7");
        assertThat(get(loaded, "views")).isEqualTo("43");
        assertThat(get(loaded, "balance")).isEqualTo("9000000000");
        assertThat(ShardState.stock(loaded.book().sku(SnapshotFixture.LATIN_SKU)))
                .isEqualTo(ShardState.stock(SnapshotFixture.build().book().sku(SnapshotFixture.LATIN_SKU)));
        assertThat(loaded.book().sku(SnapshotFixture.LATIN_SKU).available()).isEqualTo(48);
        // remembered answers, refusals included, and restock request ids
        assertThat(run(loaded, "INV.RESERVE", "phone-x", "1", "order-3", "USER", "alice", "LIMIT", "2"))
                .isEqualTo(Reply.error("LIMIT 2"));
        assertThat(run(loaded, "INV.RESTOCK", "case", "-100", "restock-2")).isEqualTo(Reply.error("INSUFFICIENT 12"));
        assertThat(run(loaded, "INV.RESTOCK", "case", "5", "restock-1")).isEqualTo(Reply.integer(12));
    }

    @Test
    void keysOfAnyLengthAndAnyBytesTheParserAcceptsAreSnapshotted() throws Exception {
        String ascii = "k".repeat(100_000);
        String high = "\u00e9\u00ff\u0080".repeat(13_334).substring(0, 40_000); // 80,000 bytes in modified UTF-8
        StringBuilder everyByte = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            everyByte.append((char) b);
        }
        String atBulkLimit = "\u0000".repeat(1 << 20);
        ShardState state = new ShardState(BookSettings.defaults());
        run(state, "SET", ascii, "1");
        run(state, "SET", high, "2");
        run(state, "SET", everyByte.toString(), "3");
        run(state, "SET", atBulkLimit, "4");

        ShardState restored = new ShardState(BookSettings.defaults());
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(written(state))), BookSettings.defaults());
        assertThat(get(restored, ascii)).isEqualTo("1");
        assertThat(get(restored, high)).isEqualTo("2");
        assertThat(get(restored, everyByte.toString())).isEqualTo("3");
        assertThat(get(restored, atBulkLimit)).isEqualTo("4");
        assertThat(restored.counters().size()).isEqualTo(4);
    }

    @Test
    void aSnapshotOfAFormatThisVersionDoesNotKnowIsRefused() throws Exception {
        byte[] snapshot = written(SnapshotFixture.build());
        snapshot[3] = 99;
        ShardState state = new ShardState(BookSettings.defaults());
        assertThatThrownBy(() -> state.readFrom(new DataInputStream(new ByteArrayInputStream(snapshot)),
                BookSettings.defaults())).isInstanceOf(IOException.class).hasMessageContaining("unknown snapshot format 99");
    }

    private String get(ShardState state, String key) throws Exception {
        return ((Reply.Bulk) run(state, "GET", key)).text();
    }

    private Reply run(ShardState state, String... words) throws Exception {
        return state.execute(parser.parse(SnapshotFixture.bytes(words)));
    }

    private static byte[] bookAndCounters(ShardState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        ShardState.Frozen frozen = state.freeze();
        frozen.book().writeTo(out);
        frozen.counters().writeTo(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] written(ShardState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        state.writeTo(out);
        out.flush();
        return bytes.toByteArray();
    }
}
