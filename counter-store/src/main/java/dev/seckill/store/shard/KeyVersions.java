package dev.seckill.store.shard;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * When the plain counters last changed, for WATCH: a fixed table of {@value #SLOTS} versions, one
 * per slot of a hash of the key, each the version of the latest change to any key of its slot.
 * WATCH reads the current version at its place in the log; EXEC, at its own place, asks whether a
 * watched key's slot changed after that. Cost: {@value #SLOTS} longs (512 KiB) per store, whatever
 * the number of keys, and one store into the table per counter write.
 *
 * <p>A change to another key of the same slot counts as a change (EXEC answers nil, a client
 * retries as for any conflict); a change to the key itself is never missed, deleted and
 * re-created keys included.
 *
 * <p>Versions are deterministic: every entry starts at least at {@code logIndex << 24}, so a
 * replica that started from an older snapshot, or from one written before versions existed,
 * still hands out a version that is after every change before the entry and before every change
 * after it, as every other replica does (an entry holds far fewer than 2^24 changes).
 */
final class KeyVersions {
    static final int SLOTS = 1 << 16;
    private static final int MAGIC = 0x57415443; // "WATC": the section is present

    private final long[] slots;
    private long version;

    KeyVersions() {
        this(new long[SLOTS], 0);
    }

    private KeyVersions(long[] slots, long version) {
        this.slots = slots;
        this.version = version;
    }

    /** Called before each log entry is applied. */
    void beginEntry(long logIndex) {
        version = Math.max(version, logIndex << 24);
    }

    /** The version a WATCH reads now: every change from here on is after it. */
    long current() {
        return version;
    }

    void changed(String key) {
        slots[slot(key)] = ++version;
    }

    /** True if {@code key} (or a key of its slot) changed after {@code watched}. */
    boolean changedAfter(String key, long watched) {
        return slots[slot(key)] > watched;
    }

    /** String's hash is defined by the language, so every replica picks the same slot. */
    static int slot(String key) {
        return (key.hashCode() * 0x9E3779B9) >>> 16;
    }

    /** A copy to write later, off the apply thread (512 KiB, copied in well under a millisecond). */
    KeyVersions freeze() {
        return new KeyVersions(slots.clone(), version);
    }

    void writeTo(DataOutput out) throws IOException {
        int used = 0;
        for (long v : slots) {
            used += v != 0 ? 1 : 0;
        }
        out.writeInt(MAGIC);
        out.writeLong(version);
        out.writeInt(used);
        for (int i = 0; i < SLOTS; i++) {
            if (slots[i] != 0) {
                out.writeShort(i);
                out.writeLong(slots[i]);
            }
        }
    }

    /** Reads what {@link #writeTo} wrote; a snapshot from before versions existed has none (all zero). */
    static KeyVersions readFrom(DataInput in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException("snapshot has no key versions where they belong");
        }
        KeyVersions k = new KeyVersions(new long[SLOTS], in.readLong());
        int used = in.readInt();
        if (used < 0 || used > SLOTS) {
            throw new IOException("snapshot holds " + used + " key version slots");
        }
        for (int i = 0; i < used; i++) {
            k.slots[in.readUnsignedShort()] = in.readLong();
        }
        return k;
    }
}
