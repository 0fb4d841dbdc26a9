package dev.seckill.perf.openloop;

/**
 * The intended send times of one connection's requests that are not answered yet, oldest first:
 * RESP answers come back in the order the requests were sent, so the oldest entry belongs to the
 * next answer. One sender thread adds, one reader thread takes (single producer, single
 * consumer, no locks); the sender adds an entry before its request is written, so an answer
 * always finds its entry.
 */
public final class InFlight {
    private final long[] intended;
    private final int mask;
    // written by the sender only; read by the reader (volatile: the entry is visible before the count)
    private volatile long added;
    // written by the reader only
    private volatile long taken;

    /** @param capacity the most requests in flight on the connection; a power of two */
    public InFlight(int capacity) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.intended = new long[capacity];
        this.mask = capacity - 1;
    }

    /** False when the connection already has {@code capacity} requests unanswered. */
    public boolean hasRoom() {
        return added - taken < intended.length;
    }

    public int size() {
        return (int) (added - taken);
    }

    /** Sender: a request meant for {@code intendedNanos} is about to be written. */
    public void add(long intendedNanos) {
        long n = added;
        if (n - taken >= intended.length) {
            throw new IllegalStateException("more than " + intended.length + " requests in flight");
        }
        intended[(int) (n & mask)] = intendedNanos;
        added = n + 1;
    }

    /**
     * Reader: the oldest request was answered at {@code answeredNanos}; returns its latency from
     * the time it was meant to be sent (not from the time it was sent).
     */
    public long answered(long answeredNanos) {
        long n = taken;
        if (n == added) {
            throw new IllegalStateException("an answer with no request in flight");
        }
        long latency = answeredNanos - intended[(int) (n & mask)];
        taken = n + 1;
        return latency;
    }
}
