package dev.seckill.sync;

import io.lettuce.core.RedisClient;

import java.time.Duration;

/**
 * How an {@link InventorySync} reaches the store and paces itself.
 *
 * @param storeUri    {@code redis://host:port} or {@code redis://:password@host:port} of the shard,
 *                    or its nodes {@code redis://a:7001,redis://b:7002,...} (see {@link dev.seckill.sync.feed.StoreNodes})
 * @param redisClient a Lettuce client to connect with (the caller owns and shuts it down), or null
 *                    for one of the sync's own
 * @param shard       the checkpoint's name in {@code sync_checkpoint} (one per store shard)
 * @param batchSize   most feed rows per {@code INV.CHANGES} and per database transaction
 * @param idlePoll    pause between polls when the feed is empty
 * @param maxBackoff  longest pause between attempts while the store or the database fails
 */
public record SyncSettings(String storeUri, RedisClient redisClient, String shard, int batchSize,
                           Duration idlePoll, Duration maxBackoff) {

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
    }

    /** Shard {@value #DEFAULT_SHARD}, 5000 rows a batch, a poll every 20 ms when idle, backoff up to 5 s. */
    public static SyncSettings of(String storeUri) {
        return new SyncSettings(storeUri, null, DEFAULT_SHARD, 5000, Duration.ofMillis(20), Duration.ofSeconds(5));
    }

    public SyncSettings withShard(String shard) {
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, maxBackoff);
    }

    public SyncSettings withBatchSize(int batchSize) {
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, maxBackoff);
    }

    public SyncSettings withIdlePoll(Duration idlePoll) {
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, maxBackoff);
    }

    public SyncSettings withMaxBackoff(Duration maxBackoff) {
        return new SyncSettings(storeUri, redisClient, shard, batchSize, idlePoll, maxBackoff);
    }

    /** Connect through {@code client} (e.g. the service's own Lettuce client) instead of a new one. */
    public SyncSettings withRedisClient(RedisClient client) {
        return new SyncSettings(storeUri, client, shard, batchSize, idlePoll, maxBackoff);
    }
}
