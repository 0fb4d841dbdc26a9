package dev.seckill.sync;

import io.lettuce.core.RedisClient;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * How an {@link InventorySync} reaches the store and paces itself.
 *
 * @param storeUri    {@code redis://host:port} or {@code redis://:password@host:port} of the shard,
 *                    or its nodes {@code redis://a:7001,redis://b:7002,...} (see {@link dev.seckill.sync.feed.StoreNodes})
 * @param redisClient a Lettuce client to connect with (the caller owns and shuts it down), or null
 *                    for one of the sync's own
 * @param shard       the checkpoint's name in {@code sync_checkpoint} (one per store shard)
 * @param batchSize   most feed rows per {@code INV.CHANGES} and per database transaction
 * @param idlePoll    pause after the first poll that finds the feed empty
 * @param idlePollMax longest pause between polls of a feed that stays empty: each empty poll
 *                    doubles the pause up to this, the first row found brings it back to
 *                    {@code idlePoll}. Every poll is a linearizable read, so a Raft log entry
 *                    (and an fsync on each node): an idle shard should not cost 50 of them a second
 * @param maxBackoff  longest pause between attempts while the store or the database fails
 * @param yieldTo     when to hold the writes back for buyers ({@link YieldToBuyers}), or null: never
 */
public record SyncSettings(String storeUri, RedisClient redisClient, String shard, int batchSize,
                           Duration idlePoll, Duration idlePollMax, Duration maxBackoff, YieldToBuyers yieldTo) {

    public static final String DEFAULT_SHARD = "shard-0";

    public SyncSettings {
        if (storeUri == null || storeUri.isBlank()) {
            throw new IllegalArgumentException("a store URI is needed (redis://host:port)");
        }
        if (shard == null || shard.isBlank() || shard.length() > 128) {
            throw new IllegalArgumentException("shard must be 1..128 characters");
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("batch size must be 1..100000, got " + batchSize);
        }
        if (idlePoll.isNegative() || idlePoll.isZero() || maxBackoff.isNegative() || maxBackoff.isZero()) {
            throw new IllegalArgumentException("idle poll and backoff must be positive");
        }
        if (idlePollMax.compareTo(idlePoll) < 0) {
            throw new IllegalArgumentException("the longest idle poll (" + idlePollMax.toMillis()
                    + " ms) must not be shorter than the first (" + idlePoll.toMillis() + " ms)");
        }
    }

    /**
     * Write-behind that steps aside while a sale's buyers are being served: an in-process sync
     * shares the service's cores, and writing a batch costs the database far more CPU per row than
     * the purchase that made it. While {@code busy} says buyers are arriving, the sync, once caught
     * up, waits up to {@code atMost} before it reads and writes again (then it catches up fully,
     * in bigger batches). The RDS lags by at most about {@code atMost} more; nothing is lost, since
     * the store keeps every change until the sync acknowledges it.
     *
     * @param busy   true while buyers are arriving (called every few ms while the sync waits; cheap)
     * @param atMost the longest the sync holds back after it last caught up
     */
    public record YieldToBuyers(BooleanSupplier busy, Duration atMost) {
        public YieldToBuyers {
            if (busy == null) {
                throw new IllegalArgumentException("busy is needed");
            }
            if (atMost.isNegative() || atMost.isZero() || atMost.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("the sync may yield for 1 ms to 60 s, got " + atMost);
            }
        }
    }

    /**
     * Shard {@value #DEFAULT_SHARD}, 5000 rows a batch, polls of an empty feed 20 ms apart at first
     * and 250 ms apart once it has stayed empty a while, backoff up to 5 s.
     */
    public static SyncSettings of(String storeUri) {
        return new SyncSettings(storeUri, null, DEFAULT_SHARD, 5000, Duration.ofMillis(20), Duration.ofMillis(250),
                Duration.ofSeconds(5), null);
    }

    public SyncSettings withShard(String shard) {
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, idlePollMax, maxBackoff, yieldTo);
    }

    public SyncSettings withBatchSize(int batchSize) {
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, idlePollMax, maxBackoff, yieldTo);
    }

    /** The first pause when the feed is empty; the longest is raised to it if shorter. */
    public SyncSettings withIdlePoll(Duration idlePoll) {
        Duration longest = idlePoll.compareTo(idlePollMax) > 0 ? idlePoll : idlePollMax;
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, longest, maxBackoff, yieldTo);
    }

    public SyncSettings withIdlePollMax(Duration idlePollMax) {
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, idlePollMax, maxBackoff, yieldTo);
    }

    public SyncSettings withMaxBackoff(Duration maxBackoff) {
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, idlePollMax, maxBackoff, yieldTo);
    }

    /** Holds the writes back while buyers are being served ({@link YieldToBuyers}); null: never. */
    public SyncSettings withYieldTo(YieldToBuyers yieldTo) {
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, idlePollMax, maxBackoff, yieldTo);
    }

    /** Connect through {@code client} (e.g. the service's own Lettuce client) instead of a new one. */
    public SyncSettings withRedisClient(RedisClient client) {
        return new SyncSettings(storeUri, client, shard, batchSize, idlePoll, idlePollMax, maxBackoff, yieldTo);
    }
}
