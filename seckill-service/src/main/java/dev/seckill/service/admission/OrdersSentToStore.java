package dev.seckill.service.admission;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * The order ids this instance has let through to the store lately, so that a replay of one of them
 * passes the sold-out flag and hears the store's first answer (201, or the refusal it gave) rather
 * than a local SOLD_OUT. An id is noted when it is admitted, before the store answers, so a replay
 * racing its own first attempt passes too.
 * <p>
 * Two generations of Bloom filters, each for {@code generationSize} ids: when the current one has
 * taken that many it becomes the previous one and the one before is cleared, so an id is
 * remembered for at least {@code generationSize} later admissions. A Bloom filter never forgets an
 * id it holds; it may claim one it never saw (about 1% of ids at full load), and such a new buyer
 * merely asks the store, which answers SOLDOUT as the flag would have. Memory is fixed (about 1.2
 * bytes an id, 10 bits) and nothing is allocated per id, where a set of strings cost ~100 bytes an
 * id and survived young collections. Only admitted purchases are noted, and a sold-out sale admits
 * almost none, so a spike of new buyers does not push the orders out.
 */
final class OrdersSentToStore {
    /** 7 probes into 10 bits an id: about 0.8% false positives when a generation is full. */
    private static final int PROBES = 7;
    private static final int BITS_PER_ID = 10;
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

    private final int generationSize;
    private volatile Generation current;
    private volatile Generation previous;

    OrdersSentToStore(int generationSize) {
        if (generationSize < 1) {
            throw new IllegalArgumentException("generationSize must be at least 1");
        }
        this.generationSize = generationSize;
        this.current = new Generation(generationSize);
        this.previous = new Generation(generationSize);
    }

    void add(String orderId) {
        long h = hash(orderId);
        Generation now = current;
        now.add(h);
        if (now.added.sum() >= generationSize) {
            rotate(now);
        }
    }

    /** True if the id was added within the last two generations; rarely true for one never added. */
    boolean contains(String orderId) {
        long h = hash(orderId);
        // current first: an id added during a rotation is in one of the two either way
        return current.contains(h) || previous.contains(h);
    }

    private synchronized void rotate(Generation full) {
        if (current == full) {
            Generation recycled = previous;
            previous = full;
            // a reader that still holds the recycled one sees it emptying: for an id added two
            // generations ago that is the forgetting this class promises anyway
            recycled.clear();
            current = recycled;
        }
    }

    /** 64 well-mixed bits of the id (order ids are already random, but any string must spread). */
    static long hash(String id) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < id.length(); i++) {
            h = (h ^ id.charAt(i)) * 0x100000001B3L;
        }
        h ^= h >>> 33; // murmur3's finaliser
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    private static final class Generation {
        private final long[] words;
        private final long bits;
        private final LongAdder added = new LongAdder();

        Generation(int ids) {
            long wanted = Math.max(64, (long) ids * BITS_PER_ID);
            int wordCount = (int) Math.min(Integer.MAX_VALUE - 8, (wanted + 63) / 64);
            this.words = new long[wordCount];
            this.bits = (long) wordCount * 64;
        }

        void add(long h) {
            long h1 = h, h2 = (h >>> 32) | (h << 32) | 1; // odd: the probes cycle through every bit
            for (int i = 0; i < PROBES; i++) {
                long bit = Math.floorMod(h1 + i * h2, bits);
                int word = (int) (bit >>> 6);
                long mask = 1L << bit;
                if (((long) WORD.getOpaque(words, word) & mask) == 0) {
                    WORD.getAndBitwiseOr(words, word, mask);
                }
            }
            added.increment();
        }

        boolean contains(long h) {
            long h1 = h, h2 = (h >>> 32) | (h << 32) | 1;
            for (int i = 0; i < PROBES; i++) {
                long bit = Math.floorMod(h1 + i * h2, bits);
                if (((long) WORD.getAcquire(words, (int) (bit >>> 6)) & (1L << bit)) == 0) {
                    return false;
                }
            }
            return true;
        }

        void clear() {
            for (int i = 0; i < words.length; i++) {
                WORD.setRelease(words, i, 0L);
            }
            added.reset();
        }
    }
}
