package dev.seckill.store.inventory;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Request id to {@link Reservation}: a chained hash table whose buckets and chain links are ints,
 * over a slot array that reservations fill in the order they come.
 *
 * <p>Why not references in the buckets: a flash sale keeps millions of request ids, so the table
 * lives in the old generation while every new reservation is young. Each reference from an old
 * array to a young object marks that array's 512-byte card dirty, for the garbage collector to
 * rescan; buckets are hit at random, so a reference per bucket dirtied a card per reservation
 * (G1's refinement threads took a quarter of the store's CPU under {@code INV.RESERVE}). Here the
 * only references are in {@link #slots}, written one after another (a card takes 128 of them,
 * and freed slots are reused in the order their reservations were forgotten, which is about the
 * order they were made); the hashing touches ints only, which the collector never scans.
 *
 * <p>The slots are chunked, copy on write: {@link #freeze()} hands the remembered reservations to
 * the snapshot writer by copying the chunk directory (a reference per {@value #CHUNK} slots); the
 * first write into a chunk after a freeze copies that chunk, so a frozen view never changes.
 *
 * <p>Not thread-safe: owned by the book's single writer (a frozen view may be read by any thread
 * that received it through a happens-before edge).
 */
final class RequestTable {
    private static final int SHIFT = 10;
    static final int CHUNK = 1 << SHIFT;
    private static final int MASK = CHUNK - 1;
    private static final int INITIAL_CAPACITY = CHUNK;
    private static final int NONE = -1;

    /** Bucket heads: a slot number, or NONE. */
    private int[] buckets = newBuckets(INITIAL_CAPACITY);
    /** The reservation in each slot (chunk {@code s >>> SHIFT}, index {@code s & MASK}); null for a free slot. */
    private Reservation[][] slots = {new Reservation[CHUNK]};
    /** The freeze generation each chunk was last copied in; the table's own while it equals {@link #generation}. */
    private int[] ownedIn = {0};
    private int generation;
    /** The next slot in the same bucket, or NONE; for a free slot, the next free slot. */
    private int[] next = new int[INITIAL_CAPACITY];
    /** Slots never used yet start here. */
    private int fresh;
    /**
     * Freed slots, reused last freed first: reservations are forgotten oldest first, so a run of
     * freed slots lies close together and reuse walks it back, still a card at a time.
     */
    private int[] freed = new int[16];
    private int freedCount;
    private int size;

    Reservation get(String requestId) {
        for (int s = buckets[index(requestId.hashCode(), buckets.length)]; s != NONE; s = next[s]) {
            Reservation r = slots[s >>> SHIFT][s & MASK];
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
            rehash(buckets.length << 1);
        }
        int s = takeSlot();
        own(s >>> SHIFT);
        slots[s >>> SHIFT][s & MASK] = r;
        r.slot = s;
        int b = index(r.requestId.hashCode(), buckets.length);
        next[s] = buckets[b];
        buckets[b] = s;
        size++;
    }

    /** Removes {@code r} itself; a later reservation that reused its request id stays. */
    boolean remove(Reservation r) {
        int s = r.slot;
        if (s == NONE || slots[s >>> SHIFT][s & MASK] != r) {
            return false;
        }
        int b = index(r.requestId.hashCode(), buckets.length);
        if (buckets[b] == s) {
            buckets[b] = next[s];
        } else {
            int prev = buckets[b];
            while (next[prev] != s) {
                prev = next[prev];
            }
            next[prev] = next[s];
        }
        own(s >>> SHIFT);
        slots[s >>> SHIFT][s & MASK] = null;
        r.slot = NONE;
        if (freedCount == freed.length) {
            freed = Arrays.copyOf(freed, freedCount << 1);
        }
        freed[freedCount++] = s;
        size--;
        return true;
    }

    int size() {
        return size;
    }

    /** Every mapped reservation, in slot order. */
    void forEach(Consumer<Reservation> action) {
        new Frozen(slots, fresh).forEach(action::accept); // a walk on the owner's thread: no copy needed
    }

    /**
     * The mapped reservations as they are now, for reading on another thread while the table goes
     * on changing: copies the chunk directory, not the slots.
     */
    Frozen freeze() {
        Frozen f = new Frozen(Arrays.copyOf(slots, (fresh + MASK) >>> SHIFT), fresh);
        generation++;
        return f;
    }

    private void own(int c) {
        if (ownedIn[c] != generation) {
            slots[c] = slots[c].clone();
            ownedIn[c] = generation;
        }
    }

    private int takeSlot() {
        if (freedCount > 0) {
            return freed[--freedCount];
        }
        if (fresh == next.length) {
            next = Arrays.copyOf(next, fresh << 1);
        }
        int c = fresh >>> SHIFT;
        if (c == slots.length) {
            slots = Arrays.copyOf(slots, c << 1);
            ownedIn = Arrays.copyOf(ownedIn, c << 1);
        }
        if (slots[c] == null) {
            slots[c] = new Reservation[CHUNK];
            ownedIn[c] = generation;
        }
        return fresh++;
    }

    private void rehash(int capacity) {
        buckets = newBuckets(capacity);
        for (int s = 0; s < fresh; s++) {
            Reservation r = slots[s >>> SHIFT][s & MASK];
            if (r != null) {
                int b = index(r.requestId.hashCode(), capacity);
                next[s] = buckets[b];
                buckets[b] = s;
            }
        }
    }

    private static int[] newBuckets(int capacity) {
        int[] b = new int[capacity];
        Arrays.fill(b, NONE);
        return b;
    }

    /** Spreads the high bits down, as HashMap does: request ids often differ only in their last chars. */
    private static int index(int hash, int length) {
        return (hash ^ (hash >>> 16)) & (length - 1);
    }

    /** The table frozen by {@link RequestTable#freeze}: its reservations in slot order; never changes. */
    static final class Frozen {
        private final Reservation[][] chunks;
        private final int slots;

        private Frozen(Reservation[][] chunks, int slots) {
            this.chunks = chunks;
            this.slots = slots;
        }

        <E extends Exception> void forEach(ReservationConsumer<E> action) throws E {
            for (int s = 0; s < slots; s++) {
                Reservation r = chunks[s >>> SHIFT][s & MASK];
                if (r != null) {
                    action.accept(r);
                }
            }
        }
    }

    /** Receives the reservations of a frozen table; may throw what its caller throws (a snapshot's IOException). */
    @FunctionalInterface
    interface ReservationConsumer<E extends Exception> {
        void accept(Reservation r) throws E;
    }
}
