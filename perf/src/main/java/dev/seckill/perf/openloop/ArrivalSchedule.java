package dev.seckill.perf.openloop;

/**
 * When each request of an open-loop run is meant to be sent: request {@code k} (from 0) at
 * {@code start + floor(k * 1e9 / rate)} nanoseconds, whatever happened to the requests before it.
 *
 * <p>Latency is measured from these intended times, not from the moment a request actually left:
 * a sender held up by a slow server (or by its own scheduling) would otherwise send late, measure
 * from the late start, and hide exactly the waits a real arrival stream suffers (coordinated
 * omission). Exact integer arithmetic, so a run of any length neither drifts nor skips a request.
 * Valid while {@code elapsed * rate} stays within a long (an hour at a million requests/s).
 */
public final class ArrivalSchedule {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long startNanos;
    private final long ratePerSecond;

    public ArrivalSchedule(long startNanos, long ratePerSecond) {
        if (ratePerSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
        }
        this.startNanos = startNanos;
        this.ratePerSecond = ratePerSecond;
    }

    public long startNanos() {
        return startNanos;
    }

    public long ratePerSecond() {
        return ratePerSecond;
    }

    /** The time request {@code k} is meant to be sent. */
    public long intendedNanos(long k) {
        return startNanos + k * NANOS_PER_SECOND / ratePerSecond;
    }

    /**
     * How many requests are due by {@code nowNanos}: the number of {@code k} whose intended time is
     * at or before it, so requests {@code 0 .. dueBy(now) - 1} should have been sent.
     */
    public long dueBy(long nowNanos) {
        long elapsed = nowNanos - startNanos;
        if (elapsed < 0) {
            return 0;
        }
        // k * 1e9 / rate (rounded down) <= elapsed  <=>  k * 1e9 < (elapsed + 1) * rate
        long bound = (elapsed + 1) * ratePerSecond;
        return (bound + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
    }
}
