package dev.seckill.store.inventory;

import dev.seckill.store.collection.StringLongMap;
import dev.seckill.store.feed.FeedRow;

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
    final StringLongMap holdings = new StringLongMap();
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
        int h = holdings.find(user);
        return h == StringLongMap.ABSENT ? 0 : holdings.valueAt(h);
    }

    void hold(String user, long delta) {
        int h = holdings.find(user);
        if (h == StringLongMap.ABSENT) {
            if (delta != 0) {
                holdings.insert(user, delta);
            }
        } else {
            long now = holdings.valueAt(h) + delta;
            if (now == 0) {
                holdings.removeAt(h); // keeps memory bounded by the users who hold something now
            } else {
                holdings.setAt(h, now);
            }
        }
    }
}
