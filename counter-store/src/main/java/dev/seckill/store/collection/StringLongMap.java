package dev.seckill.store.collection;

import java.util.Arrays;

/**
 * String keys to long values (a SKU's holdings per user, the plain counters), whose contents can
 * be frozen for another thread in O(number of chunks) instead of O(entries).
 *
 * <p>Entries live in slots: the keys and values are chunked arrays, hashed through int buckets and
 * int chain links that only the owner reads. {@link #freeze()} copies the chunk directories and
 * marks every chunk shared; the owner's next write into a shared chunk copies that chunk first
 * (copy on write), so a frozen view's chunks are never written again. The owner thus pays one
 * chunk copy per chunk it touches after a freeze, spread over the writes that touch them, instead
 * of a stop that grows with the number of users.
 *
 * <p>Memory effects: a frozen view holds only chunks that no thread writes after the freeze, so a
 * thread that received it through a happens-before edge (an executor hand-off) reads the values
 * of the freeze moment.
 *
 * <p>Not thread-safe otherwise: one owner thread reads and writes.
 */
public final class StringLongMap {
    /** Slots per chunk: small, since after a freeze the first write into each chunk copies it. */
    static final int SHIFT = 8;
    static final int CHUNK = 1 << SHIFT;
    static final int MASK = CHUNK - 1;
    public static final int ABSENT = -1;

    /** Starts small: every SKU has a map, most hold few users or none. */
    private static final int INITIAL = 4;

    private int[] buckets = newBuckets(INITIAL);
    private int[] next = new int[INITIAL];
    /** Chunk 0 grows up to {@value #CHUNK} slots; the other chunks are full-sized from the start. */
    private String[][] keys = {new String[INITIAL]};
    private long[][] values = {new long[INITIAL]};
    /** The freeze generation each chunk was last copied in; a chunk is the owner's alone when it equals {@link #generation}. */
    private int[] ownedIn = {0};
    private int generation;
    /** Slots never used yet start here. */
    private int fresh;
    private int[] freed = new int[16];
    private int freedCount;
    private int size;

    /** The slot holding {@code key}, or {@link #ABSENT}. */
    public int find(String key) {
        for (int s = buckets[index(key.hashCode(), buckets.length)]; s != ABSENT; s = next[s]) {
            if (keys[s >>> SHIFT][s & MASK].equals(key)) {
                return s;
            }
        }
        return ABSENT;
    }

    /** The value in a slot {@link #find} returned. */
    public long valueAt(int slot) {
        return values[slot >>> SHIFT][slot & MASK];
    }

    public void setAt(int slot, long value) {
        own(slot >>> SHIFT);
        values[slot >>> SHIFT][slot & MASK] = value;
    }

    /** Adds {@code key}, which must be absent; returns its slot. */
    public int insert(String key, long value) {
        if (size >= buckets.length - (buckets.length >>> 2)) { // load factor 0.75
            rehash(buckets.length << 1);
        }
        int s = takeSlot();
        int c = s >>> SHIFT;
        own(c);
        keys[c][s & MASK] = key;
        values[c][s & MASK] = value;
        int b = index(key.hashCode(), buckets.length);
        next[s] = buckets[b];
        buckets[b] = s;
        size++;
        return s;
    }

    /** Removes the entry in a slot {@link #find} returned. */
    public void removeAt(int slot) {
        int c = slot >>> SHIFT;
        int b = index(keys[c][slot & MASK].hashCode(), buckets.length);
        if (buckets[b] == slot) {
            buckets[b] = next[slot];
        } else {
            int prev = buckets[b];
            while (next[prev] != slot) {
                prev = next[prev];
            }
            next[prev] = next[slot];
        }
        own(c);
        keys[c][slot & MASK] = null;
        values[c][slot & MASK] = 0;
        if (freedCount == freed.length) {
            freed = Arrays.copyOf(freed, freedCount << 1);
        }
        freed[freedCount++] = slot;
        size--;
    }

    public boolean remove(String key) {
        int s = find(key);
        if (s == ABSENT) {
            return false;
        }
        removeAt(s);
        return true;
    }

    public int size() {
        return size;
    }

    /** Calls {@code action} for each entry, in slot order (on the owner's thread). */
    public <E extends Exception> void forEach(EntryConsumer<E> action) throws E {
        new Frozen(keys, values, fresh, size).forEach(action);
    }

    /**
     * The entries as they are now, for reading on another thread while this map goes on changing:
     * copies the chunk directories (one reference per {@value #CHUNK} slots), not the entries.
     */
    public Frozen freeze() {
        int chunks = (fresh + MASK) >>> SHIFT;
        Frozen f = new Frozen(Arrays.copyOf(keys, chunks), Arrays.copyOf(values, chunks), fresh, size);
        generation++;
        return f;
    }

    private void own(int c) {
        if (ownedIn[c] != generation) {
            keys[c] = keys[c].clone();
            values[c] = values[c].clone();
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
        if (c == keys.length) {
            keys = Arrays.copyOf(keys, c << 1);
            values = Arrays.copyOf(values, c << 1);
            ownedIn = Arrays.copyOf(ownedIn, c << 1);
        }
        if (keys[c] == null) {
            keys[c] = new String[CHUNK];
            values[c] = new long[CHUNK];
            ownedIn[c] = generation;
        } else if (c == 0 && fresh == keys[0].length) { // chunk 0, not full-sized yet: a new, larger copy is ours
            keys[c] = Arrays.copyOf(keys[c], Math.min(fresh << 1, CHUNK));
            values[c] = Arrays.copyOf(values[c], Math.min(fresh << 1, CHUNK));
            ownedIn[c] = generation;
        }
        return fresh++;
    }

    private void rehash(int capacity) {
        buckets = newBuckets(capacity);
        for (int s = 0; s < fresh; s++) {
            String k = keys[s >>> SHIFT][s & MASK];
            if (k != null) {
                int b = index(k.hashCode(), capacity);
                next[s] = buckets[b];
                buckets[b] = s;
            }
        }
    }

    private static int[] newBuckets(int capacity) {
        int[] b = new int[capacity];
        Arrays.fill(b, ABSENT);
        return b;
    }

    private static int index(int hash, int length) {
        return (hash ^ (hash >>> 16)) & (length - 1);
    }

    /** A map frozen by {@link StringLongMap#freeze}: its entries in slot order; never changes. */
    public static final class Frozen {
        private final String[][] keys;
        private final long[][] values;
        private final int slots;
        private final int size;

        private Frozen(String[][] keys, long[][] values, int slots, int size) {
            this.keys = keys;
            this.values = values;
            this.slots = slots;
            this.size = size;
        }

        public int size() {
            return size;
        }

        /** Calls {@code action} for each entry, in slot order. */
        public <E extends Exception> void forEach(EntryConsumer<E> action) throws E {
            for (int s = 0; s < slots; s++) {
                String k = keys[s >>> SHIFT][s & MASK];
                if (k != null) {
                    action.accept(k, values[s >>> SHIFT][s & MASK]);
                }
            }
        }
    }

    /** Receives one entry of a frozen map. */
    @FunctionalInterface
    public interface EntryConsumer<E extends Exception> {
        void accept(String key, long value) throws E;
    }
}
