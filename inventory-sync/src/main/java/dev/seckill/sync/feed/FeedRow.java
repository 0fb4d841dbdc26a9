package dev.seckill.sync.feed;

/** One row of the store's change feed at its latest state: a SKU or a reservation. */
public sealed interface FeedRow permits SkuRow, ReservationRow {
    /** The feed sequence of this state; the RDS keeps it as {@code store_seq}. */
    long seq();
}
