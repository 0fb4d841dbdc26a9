package dev.seckill.store.counter;

import dev.seckill.store.protocol.Reply;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Plain durable 64-bit counters (likes, views, balances): Redis's integer string commands.
 * Single writer, like the inventory book; a value is a one-element array so INCR does not box.
 */
public final class Counters {
    private static final Reply OVERFLOW = Reply.error("ERR increment or decrement would overflow");
    private final Map<String, long[]> values = new HashMap<>();

    public Reply get(String key) {
        long[] v = values.get(key);
        return v == null ? Reply.NULL : Reply.bulk(Long.toString(v[0]));
    }

    public Reply set(String key, long value) {
        long[] v = values.get(key);
        if (v == null) {
            values.put(key, new long[] {value});
        } else {
            v[0] = value;
        }
        return Reply.OK;
    }

    public Reply incrementBy(String key, long delta) {
        long[] v = values.get(key);
        if (v == null) {
            values.put(key, new long[] {delta});
            return Reply.integer(delta);
        }
        long old = v[0];
        long sum = old + delta;
        if (((old ^ sum) & (delta ^ sum)) < 0) {
            return OVERFLOW;
        }
        v[0] = sum;
        return Reply.integer(sum);
    }

    public boolean delete(String key) {
        return values.remove(key) != null;
    }

    public boolean exists(String key) {
        return values.containsKey(key);
    }

    public int size() {
        return values.size();
    }

    public void writeTo(DataOutput out) throws IOException {
        freeze().writeTo(out);
    }

    /** The counters as they are now, to be written later by another thread (see BookSnapshot.freeze). */
    public Frozen freeze() {
        String[] keys = new String[values.size()];
        long[] numbers = new long[keys.length];
        int i = 0;
        for (Map.Entry<String, long[]> e : values.entrySet()) {
            keys[i] = e.getKey();
            numbers[i++] = e.getValue()[0];
        }
        return new Frozen(keys, numbers);
    }

    /** Counters frozen by {@link #freeze}. */
    public record Frozen(String[] keys, long[] values) {
        public void writeTo(DataOutput out) throws IOException {
            out.writeInt(keys.length);
            for (int i = 0; i < keys.length; i++) {
                out.writeUTF(keys[i]);
                out.writeLong(values[i]);
            }
        }
    }

    public static Counters readFrom(DataInput in) throws IOException {
        Counters c = new Counters();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            c.values.put(in.readUTF(), new long[] {in.readLong()});
        }
        return c;
    }
}
