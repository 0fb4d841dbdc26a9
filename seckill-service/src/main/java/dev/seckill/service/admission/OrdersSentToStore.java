package dev.seckill.service.admission;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The order ids this instance has let through to the store lately, so that a replay of one of them
 * passes the sold-out flag and hears the store's first answer (201, or the refusal it gave) rather
 * than a local SOLD_OUT. An id is noted when it is admitted, before the store answers, so a replay
 * racing its own first attempt passes too.
 * <p>
 * Bounded by two generations of {@code generationSize} ids: when the current one is full it
 * becomes the previous one and the one before is forgotten, so an id is remembered for at least
 * {@code generationSize} later admissions. Only admitted purchases are noted, and a sold-out sale
 * admits almost none, so a spike of new buyers does not push the orders out.
 */
final class OrdersSentToStore {
    private final int generationSize;
    private volatile Set<String> current = ConcurrentHashMap.newKeySet();
    private volatile Set<String> previous = Set.of();

    OrdersSentToStore(int generationSize) {
        this.generationSize = generationSize;
    }

    void add(String orderId) {
        Set<String> now = current;
        now.add(orderId);
        if (now.size() >= generationSize) {
            rotate(now);
        }
    }

    boolean contains(String orderId) {
        // current first: an id added during a rotation is in one of the two either way
        return current.contains(orderId) || previous.contains(orderId);
    }

    private synchronized void rotate(Set<String> full) {
        if (current == full) {
            previous = full;
            current = ConcurrentHashMap.newKeySet();
        }
    }
}
