package dev.seckill.store.replication;

import dev.seckill.store.command.Op;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every structural fault of a log entry is found before anything reads past it, and an entry
 * whose commands do not parse is unreadable as a whole.
 */
class LogEntryFormatTest {
    private static final byte[] GOOD = OneNodeRaftPortTest.concat(
            TestEntries.entry(Op.INV_CREATE, "sku", "10"), TestEntries.entry(Op.INCRBY, "k", "5"));

    @Test
    void wellFormedEntriesPass() {
        assertThat(LogEntryFormat.malformation(ByteBuffer.wrap(GOOD))).isNull();
        assertThat(LogEntryFormat.malformation(ByteBuffer.wrap(TestEntries.empty()))).as("a tick").isNull();
        EntryReader reader = new EntryReader();
        assertThat(reader.read(GOOD)).isNull();
        assertThat(reader.count()).isEqualTo(2);
        assertThat(reader.command(0).op()).isEqualTo(Op.INV_CREATE);
        assertThat(reader.command(1).number()).isEqualTo(5);
    }

    @Test
    void everyStructuralFaultIsNamed() {
        assertThat(fault(Arrays.copyOf(GOOD, 10))).contains("shorter than");
        assertThat(fault(with(GOOD, 0, (byte) 9))).contains("unknown format 9");
        assertThat(fault(withInt(GOOD, LogEntryFormat.COUNT_AT, 1_000_000))).contains("command count");
        assertThat(fault(withInt(GOOD, LogEntryFormat.COUNT_AT, -1))).contains("command count");
        assertThat(fault(withInt(GOOD, LogEntryFormat.COUNT_AT, 1))).contains("bytes follow the last command");
        assertThat(fault(with(GOOD, LogEntryFormat.HEADER_BYTES, (byte) 200))).contains("unknown op code 200");
        assertThat(fault(with(GOOD, LogEntryFormat.HEADER_BYTES, (byte) -1))).contains("unknown op code 255");
        assertThat(fault(withInt(GOOD, LogEntryFormat.HEADER_BYTES + 1, Integer.MAX_VALUE))).contains("arguments");
        assertThat(fault(withInt(GOOD, LogEntryFormat.HEADER_BYTES + 5, 1 << 30))).contains("claims");
        assertThat(fault(withInt(GOOD, LogEntryFormat.HEADER_BYTES + 5, -5))).contains("claims");
        assertThat(fault(Arrays.copyOf(GOOD, GOOD.length - 1))).isNotNull();
        assertThat(fault(Arrays.copyOf(GOOD, GOOD.length + 3))).contains("3 bytes follow");
    }

    @Test
    void anEntryWithACommandThatDoesNotParseIsUnreadableWhole() {
        byte[] entry = OneNodeRaftPortTest.concat(TestEntries.entry(Op.INV_CREATE, "sku", "10"),
                TestEntries.entry(Op.INV_RESTOCK, "sku", "ten"));
        assertThat(LogEntryFormat.malformation(ByteBuffer.wrap(entry))).as("well formed").isNull();
        assertThat(new EntryReader().read(entry)).contains("command 1 (INV.RESTOCK) does not parse");
        assertThat(new EntryReader().read(TestEntries.entry(Op.TICK))).as("no client may send TICK")
                .contains("does not parse");
    }

    @Test
    void aBufferViewIsReadFromItsPosition() {
        byte[] padded = new byte[GOOD.length + 7];
        System.arraycopy(GOOD, 0, padded, 7, GOOD.length);
        ByteBuffer view = ByteBuffer.wrap(padded, 7, GOOD.length).slice().asReadOnlyBuffer();
        assertThat(LogEntryFormat.malformation(view)).isNull();
        assertThat(LogEntryFormat.count(view)).isEqualTo(2);
        assertThat(LogEntryFormat.origin(view)).isEqualTo(LogEntryFormat.origin(GOOD));
    }

    private static String fault(byte[] entry) {
        String structural = LogEntryFormat.malformation(ByteBuffer.wrap(entry));
        assertThat(new EntryReader().read(entry)).as("the reader agrees").isEqualTo(structural);
        return structural;
    }

    private static byte[] with(byte[] entry, int at, byte value) {
        byte[] copy = entry.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] withInt(byte[] entry, int at, int value) {
        byte[] copy = entry.clone();
        ByteBuffer.wrap(copy).putInt(at, value);
        return copy;
    }
}
