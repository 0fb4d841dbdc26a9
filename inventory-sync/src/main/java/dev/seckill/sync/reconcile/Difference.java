package dev.seckill.sync.reconcile;

/**
 * One row where the store and the RDS disagree.
 *
 * @param kind     {@code sku} or {@code reservation}
 * @param id       the SKU or the request id
 * @param store    the store's row, in short text ({@code missing} if it has none)
 * @param rds      the RDS's row, the same way
 * @param cause    why, as far as the checkpoint tells
 * @param repaired whether this run fixed it
 * @param note     what the repair did or why it could not
 */
public record Difference(String kind, String id, String store, String rds, Cause cause, boolean repaired, String note) {

    /** The likely cause of a difference. */
    public enum Cause {
        /** The store changed the row after the sync's checkpoint: the sync has not written it yet. */
        SYNC_LAG,
        /** The row is not waiting in the change feed, yet differs: someone changed one side behind the sync's back. */
        DRIFT
    }

    Difference repaired(String what) {
        return new Difference(kind, id, store, rds, cause, true, what);
    }

    Difference unrepaired(String why) {
        return new Difference(kind, id, store, rds, cause, false, why);
    }
}
