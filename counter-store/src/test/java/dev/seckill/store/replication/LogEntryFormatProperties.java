package dev.seckill.store.replication;

import dev.seckill.store.command.Op;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading an entry never throws, whatever its bytes: garbage, or a good entry with bytes flipped,
 * cut or added. Reading is what apply does with entries from elsewhere, so an entry can never
 * stop the apply thread; and the answer is the same every time for the same bytes.
 */
class LogEntryFormatProperties {

    @Property(tries = 2_000)
    void garbageIsNeverReadAndNeverThrows(@ForAll @Size(max = 200) byte[] bytes) {
        String first = new EntryReader().read(bytes);
        assertThat(new EntryReader().read(bytes)).isEqualTo(first);
    }

    @Property(tries = 3_000)
    void damagedEntriesAreReadOrRefusedAndNeverThrow(@ForAll("entries") byte[] entry,
                                                      @ForAll @IntRange(min = 0, max = 10_000) int where,
                                                      @ForAll byte value,
                                                      @ForAll @IntRange(min = 0, max = 3) int how) {
        byte[] damaged = switch (how) {
            case 0 -> flip(entry, where % entry.length, value);
            case 1 -> java.util.Arrays.copyOf(entry, where % (entry.length + 1));
            case 2 -> java.util.Arrays.copyOf(entry, entry.length + 1 + where % 8);
            default -> entry;
        };
        EntryReader reader = new EntryReader();
        String fault = reader.read(damaged);
        String structural = LogEntryFormat.malformation(ByteBuffer.wrap(damaged));
        if (structural != null) {
            assertThat(fault).isEqualTo(structural);
        }
        assertThat(new EntryReader().read(damaged)).as("the same bytes, the same answer").isEqualTo(fault);
    }

    @Provide
    Arbitrary<byte[]> entries() {
        Arbitrary<byte[]> one = Arbitraries.of(
                TestEntries.entry(Op.INV_CREATE, "s", "3"),
                TestEntries.entry(Op.INV_RESERVE, "s", "1", "req-1", "USER", "u", "LIMIT", "2", "TTL", "1000"),
                TestEntries.entry(Op.INV_RESERVEALL, "r", "ITEMS", "a", "1", "b", "2"),
                TestEntries.entry(Op.DEL, "a", "b", "c"),
                TestEntries.entry(Op.INCRBY, "k", "-7"),
                TestEntries.entry(Op.INV_CHANGES, "0", "10"));
        return one.list().ofMinSize(1).ofMaxSize(4).map(LogEntryFormatProperties::join);
    }

    private static byte[] join(List<byte[]> entries) {
        byte[] out = entries.get(0);
        for (int i = 1; i < entries.size(); i++) {
            byte[] two = OneNodeRaftPortTest.concat(out, entries.get(i));
            ByteBuffer.wrap(two).putInt(LogEntryFormat.COUNT_AT, i + 1);
            out = two;
        }
        return out;
    }

    private static byte[] flip(byte[] entry, int at, byte value) {
        byte[] copy = entry.clone();
        copy[at] ^= value == 0 ? 1 : value;
        return copy;
    }
}
