package dev.seckill.store.inventory;

import java.time.Duration;

/**
 * The bounds of what the book remembers. Every replica of a group must use the same settings,
 * since they decide what a replayed log does.
 *
 * @param requestIdRetentionMs how long a finished request id (confirmed, cancelled, expired or
 *                             refused) is remembered, in store time; pending reservations are kept
 *                             until they finish, whatever this says
 * @param maxFinishedRequestIds at most this many finished request ids are remembered; past it the
 *                              oldest are forgotten first
 * @param maxFeedRows           the change feed refuses new reservations with {@code -BACKLOG}
 *                              once this many rows wait for the sync's acknowledgement
 */
public record BookSettings(long requestIdRetentionMs, int maxFinishedRequestIds, int maxFeedRows) {

    public static BookSettings defaults() {
        return new BookSettings(Duration.ofHours(24).toMillis(), 10_000_000, 10_000_000);
    }

    public BookSettings {
        if (requestIdRetentionMs < 0 || maxFinishedRequestIds < 0 || maxFeedRows < 1) {
            throw new IllegalArgumentException("book settings must not be negative");
        }
    }
}
