package dev.seckill.sync;

/**
 * Where a sync stands, for dashboards and health checks.
 *
 * @param appliedSeq    the checkpoint: every change up to it is in the RDS
 * @param storeLastSeq  the store's last change sequence when the sync last asked; -1 until it first asked
 * @param lagChanges    {@code storeLastSeq - appliedSeq} (sequence numbers, not operations: the feed is compacted)
 * @param lagMs         how long the oldest change the RDS lacks has been waiting, as the sync saw it; 0 when caught up
 * @param lastBatchRows rows in the last batch written
 * @param batches       batches committed since start
 * @param lastError     the last failure, one line, null if none since the last success
 * @param storeNode     {@code redis://host:port} of the store node the sync reads from now (of the
 *                      nodes it was given, the one that answered last)
 */
public record SyncStatus(String shard, State state, long appliedSeq, long storeLastSeq, long lagChanges, long lagMs,
                         int lastBatchRows, long batches, String lastError, String storeNode) {

    /** What the sync loop is doing. */
    public enum State {
        /** Polling and writing. */
        RUNNING,
        /** The store or the database failed; trying again with backoff. */
        RETRYING,
        /** The database failed often enough that calls are paused for a while (circuit breaker). */
        CIRCUIT_OPEN,
        /** Closed. */
        STOPPED
    }
}
