package dev.seckill.service.admission;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code perSecond} attempts per user in each wall-clock second. A fixed window rather
 * than a limiter per user: the map holds only the users seen this second, so memory stays
 * bounded however many users come and go.
 */
final class UserRateLimiter {
    private final int perSecond;
    private volatile long window = -1;
    private volatile ConcurrentHashMap<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    UserRateLimiter(int perSecond) {
        this.perSecond = perSecond;
    }

    boolean tryAcquire(String user, long nowMillis) {
        long w = nowMillis / 1000;
        if (w != window) {
            synchronized (this) {
                if (w != window) {
                    counts = new ConcurrentHashMap<>();
                    window = w;
                }
            }
        }
        return counts.computeIfAbsent(user, k -> new AtomicInteger()).incrementAndGet() <= perSecond;
    }
}
