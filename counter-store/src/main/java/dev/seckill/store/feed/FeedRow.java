package dev.seckill.store.feed;

/**
 * A row of the relational database that the store owns the truth of (a SKU or a reservation).
 * When it changes it is put at the tail of the {@link ChangeFeed} with a new sequence number;
 * the links are intrusive so that re-marking a row that is already waiting costs no allocation.
 */
public abstract class FeedRow {
    long seq;
    FeedRow prev;
    FeedRow next;
    boolean queued;

    /** The sequence number of this row's latest change, 0 if it never changed. */
    public final long changeSeq() {
        return seq;
    }

    /** Whether the row waits in the feed (changed after what the sync acknowledged). */
    public final boolean inFeed() {
        return queued;
    }
}
