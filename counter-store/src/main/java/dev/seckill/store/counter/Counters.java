package dev.seckill.store.counter;

import dev.seckill.store.collection.StringLongMap;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.snapshot.SnapshotStrings;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Plain durable 64-bit counters (likes, views, balances): Redis's integer string commands.
 * Single writer, like the inventory book; values are unboxed, in a map a snapshot freezes in
 * O(chunks) rather than O(keys).
 */
public final class Counters {
    private static final Reply OVERFLOW = Reply.error("ERR increment or decrement would overflow");
    private final StringLongMap values = new StringLongMap();

    public Reply get(String key) {
        int v = values.find(key);
        return v == StringLongMap.ABSENT ? Reply.NULL : Reply.bulk(Long.toString(values.valueAt(v)));
    }

    public Reply set(String key, long value) {
        int v = values.find(key);
        if (v == StringLongMap.ABSENT) {
            values.insert(key, value);
        } else {
            values.setAt(v, value);
        }
        return Reply.OK;
    }

    public Reply incrementBy(String key, long delta) {
        int v = values.find(key);
        if (v == StringLongMap.ABSENT) {
            values.insert(key, delta);
            return Reply.integer(delta);
        }
        long old = values.valueAt(v);
        long sum = old + delta;
        if (((old ^ sum) & (delta ^ sum)) < 0) {
            return OVERFLOW;
        }
        values.setAt(v, sum);
        return Reply.integer(sum);
    }

    public boolean delete(String key) {
        return values.remove(key);
    }

    public boolean exists(String key) {
        return values.find(key) != StringLongMap.ABSENT;
    }

    public int size() {
        return values.size();
    }

    public void writeTo(DataOutput out) throws IOException {
        freeze().writeTo(out);
    }

    /**
     * The counters as they are now, to be written later by another thread (see BookSnapshot.freeze):
     * costs a copy of the map's chunk directory, not of its keys.
     */
    public Frozen freeze() {
        return new Frozen(values.freeze());
    }

    /** Counters frozen by {@link #freeze}. */
    public record Frozen(StringLongMap.Frozen values) {
        public void writeTo(DataOutput out) throws IOException {
            out.writeInt(values.size());
            values.forEach((key, value) -> {
                SnapshotStrings.write(out, key); // any key the parser accepts, up to the bulk limit
                out.writeLong(value);
            });
        }
    }

    /** Reads counters written by a snapshot of {@code format} (the book's, read first). */
    public static Counters readFrom(DataInput in, int format) throws IOException {
        Counters c = new Counters();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String key = SnapshotStrings.read(in, format);
            long value = in.readLong();
            if (c.values.find(key) != StringLongMap.ABSENT) {
                throw new IOException("snapshot holds counter " + key + " twice");
            }
            c.values.insert(key, value);
        }
        return c;
    }
}
