package dev.seckill.store.inventory;

import dev.seckill.store.feed.FeedRow;

import java.util.HashMap;
import java.util.Map;

/**
 * The stock of one SKU. Always {@code total == available + reserved + sold}, none negative:
 * every method of {@link InventoryBook} that moves units moves them between two of these fields.
 */
public final class Sku extends FeedRow {
    final String id;
    long total;
    long available;
    long reserved;
    long sold;
    /** What each user holds of this SKU (reserved + sold), only for users named with USER. */
    final Map<String, long[]> holdings = new HashMap<>();
    /** This SKU as the one line of a reservation, shared by all of them; never written. */
    final String[] asLine;

    Sku(String id, long total) {
        this.id = id;
        this.asLine = new String[] {id};
        this.total = total;
        this.available = total;
    }

    public String id() {
        return id;
    }

    public long total() {
        return total;
    }

    public long available() {
        return available;
    }

    public long reserved() {
        return reserved;
    }

    public long sold() {
        return sold;
    }

    long held(String user) {
        long[] h = holdings.get(user);
        return h == null ? 0 : h[0];
    }

    void hold(String user, long delta) {
        long[] h = holdings.get(user);
        if (h == null) {
            if (delta != 0) {
                holdings.put(user, new long[] {delta});
            }
        } else if ((h[0] += delta) == 0) {
            holdings.remove(user); // keeps memory bounded by the users who hold something now
        }
    }
}
