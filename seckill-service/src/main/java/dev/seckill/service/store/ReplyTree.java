package dev.seckill.service.store;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any store reply as plain Java values: a RESP3 map becomes a {@link Map}, an array a {@link List},
 * integers Long, strings String, nil null (also at the top level, where Lettuce's own outputs fail).
 * One output for every command keeps the gateway to one way of reading replies.
 */
final class ReplyTree extends CommandOutput<String, String, Object> {
    /** A container being filled, and how many more values it takes. */
    private static final class Open {
        final List<Object> items;
        final boolean map;
        int remaining;

        Open(int values, boolean map) {
            this.items = new ArrayList<>(Math.max(values, 0));
            this.map = map;
            this.remaining = values;
        }

        Object value() {
            if (!map) {
                return items;
            }
            Map<Object, Object> m = new LinkedHashMap<>();
            for (int i = 0; i + 1 < items.size(); i += 2) {
                m.put(items.get(i), items.get(i + 1));
            }
            return m;
        }
    }

    private final Deque<Open> open = new ArrayDeque<>();

    ReplyTree() {
        super(StringCodec.UTF8, null);
    }

    @Override
    public void set(ByteBuffer bytes) {
        add(bytes == null ? null : decodeString(bytes));
    }

    @Override
    public void setSingle(ByteBuffer bytes) {
        set(bytes);
    }

    @Override
    public void setBigNumber(ByteBuffer bytes) {
        set(bytes);
    }

    @Override
    public void set(long integer) {
        add(integer);
    }

    @Override
    public void set(double number) {
        add(number);
    }

    @Override
    public void set(boolean value) {
        add(value);
    }

    @Override
    public void multi(int count) {
        begin(count, false);
    }

    @Override
    public void multiArray(int count) {
        begin(count, false);
    }

    @Override
    public void multiSet(int count) {
        begin(count, false);
    }

    @Override
    public void multiPush(int count) {
        begin(count, false);
    }

    @Override
    public void multiMap(int count) {
        begin(count * 2, true); // Lettuce passes the number of pairs
    }

    private void begin(int values, boolean map) {
        if (values < 0) {
            add(null); // *-1
            return;
        }
        open.push(new Open(values, map));
        closeFull();
    }

    private void add(Object value) {
        if (open.isEmpty()) {
            output = value;
            return;
        }
        Open top = open.peek();
        top.items.add(value);
        top.remaining--;
        closeFull();
    }

    private void closeFull() {
        while (!open.isEmpty() && open.peek().remaining == 0) {
            Open done = open.pop();
            if (open.isEmpty()) {
                output = done.value();
            } else {
                Open parent = open.peek();
                parent.items.add(done.value());
                parent.remaining--;
            }
        }
    }
}
