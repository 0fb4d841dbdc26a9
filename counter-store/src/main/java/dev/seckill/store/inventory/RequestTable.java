package dev.seckill.store.inventory;

import java.util.function.Consumer;

/**
 * Request id to {@link Reservation}: a chained hash table whose chain link lives in the reservation
 * itself ({@link Reservation#nextInBucket}), so remembering a request id allocates nothing beyond
 * the reservation. A flash sale keeps millions of them; a {@code HashMap} would add a node object
 * to each, which the garbage collector then copies and scans for as long as the id is remembered.
 *
 * <p>Not thread-safe: owned by the book's single writer.
 */
final class RequestTable {
    private static final int INITIAL_CAPACITY = 1 << 10;

    private Reservation[] buckets = new Reservation[INITIAL_CAPACITY];
    private int size;

    Reservation get(String requestId) {
        for (Reservation r = buckets[index(requestId.hashCode(), buckets.length)]; r != null; r = r.nextInBucket) {
            if (r.requestId.equals(requestId)) {
                return r;
            }
        }
        return null;
    }

    /** Maps the reservation's request id to it, in place of whatever the id mapped to before. */
    void put(Reservation r) {
        Reservation old = get(r.requestId);
        if (old != null) {
            remove(old);
        }
        putNew(r);
    }

    /** As {@link #put}, for a request id the caller just found unmapped (saves a second lookup). */
    void putNew(Reservation r) {
        if (size >= buckets.length - (buckets.length >>> 2)) { // load factor 0.75
            grow();
        }
        int i = index(r.requestId.hashCode(), buckets.length);
        r.nextInBucket = buckets[i];
        r.remembered = true;
        buckets[i] = r;
        size++;
    }

    /** Removes {@code r} itself; a later reservation that reused its request id stays. */
    boolean remove(Reservation r) {
        int i = index(r.requestId.hashCode(), buckets.length);
        Reservation prev = null;
        for (Reservation e = buckets[i]; e != null; prev = e, e = e.nextInBucket) {
            if (e == r) {
                if (prev == null) {
                    buckets[i] = e.nextInBucket;
                } else {
                    prev.nextInBucket = e.nextInBucket;
                }
                e.nextInBucket = null;
                e.remembered = false;
                size--;
                return true;
            }
        }
        return false;
    }

    int size() {
        return size;
    }

    void forEach(Consumer<Reservation> action) {
        for (Reservation head : buckets) {
            for (Reservation r = head; r != null; r = r.nextInBucket) {
                action.accept(r);
            }
        }
    }

    private void grow() {
        Reservation[] old = buckets;
        Reservation[] next = new Reservation[old.length << 1];
        for (Reservation head : old) {
            Reservation r = head;
            while (r != null) {
                Reservation following = r.nextInBucket;
                int i = index(r.requestId.hashCode(), next.length);
                r.nextInBucket = next[i];
                next[i] = r;
                r = following;
            }
        }
        buckets = next;
    }

    /** Spreads the high bits down, as HashMap does: request ids often differ only in their last chars. */
    private static int index(int hash, int length) {
        return (hash ^ (hash >>> 16)) & (length - 1);
    }
}
