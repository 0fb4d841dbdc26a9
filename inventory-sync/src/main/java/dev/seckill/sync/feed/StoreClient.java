package dev.seckill.sync.feed;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolVersion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The inventory commands of one counter-store shard through Lettuce (custom commands with
 * {@code dispatch}), typed. Speaks RESP2 so map replies arrive as flat arrays. Refusals come back
 * as {@link io.lettuce.core.RedisCommandExecutionException} carrying the store's error line.
 *
 * <p>Thread-safe (one Lettuce connection, which multiplexes). Reconnects by itself; a command
 * that cannot be sent fails instead of waiting for the connection.
 */
public final class StoreClient implements AutoCloseable {
    private static final StringCodec CODEC = StringCodec.UTF8;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final RedisClient client;
    private final boolean ownsClient;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;

    private StoreClient(RedisClient client, boolean ownsClient, RedisURI uri) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.connection = client.connect(CODEC, uri);
        this.connection.setTimeout(TIMEOUT);
        this.redis = connection.sync();
    }

    /** Connects to {@code redis://[:password@]host:port}; fails fast when nothing answers there. */
    public static StoreClient connect(String uri) {
        RedisURI redisUri = parse(uri);
        RedisClient client = RedisClient.create();
        client.setOptions(options());
        try {
            return new StoreClient(client, true, redisUri);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw e;
        }
    }

    /** A connection of a client the caller owns (and shuts down); this closes only the connection. */
    public static StoreClient connect(RedisClient client, String uri) {
        return new StoreClient(client, false, parse(uri));
    }

    /** {@code redis://host:port} or {@code redis://:password@host:port}; a clear error otherwise. */
    public static RedisURI parse(String uri) {
        if (uri == null || !(uri.startsWith("redis://") || uri.startsWith("rediss://"))) {
            throw new IllegalArgumentException("store URI must look like redis://host:port, got: " + uri);
        }
        try {
            RedisURI u = RedisURI.create(uri);
            u.setTimeout(TIMEOUT);
            return u;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad store URI " + uri + ": " + e.getMessage(), e);
        }
    }

    private static ClientOptions options() {
        return ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP2)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).build())
                .build();
    }

    /** {@code INV.CHANGES afterSeq count}. */
    public FeedBatch changes(long afterSeq, int count) {
        return batch(redis.dispatch(StoreCommand.CHANGES, new NestedMultiOutput<>(CODEC), args(afterSeq, count)));
    }

    /**
     * {@code INV.CHANGES afterSeq count} without waiting: the answer is decoded on Lettuce's I/O
     * thread, so the caller can write the previous batch meanwhile. A read: it changes nothing
     * in the store, so a fetch that is never used costs only its bytes.
     */
    public PendingChanges changesAhead(long afterSeq, int count) {
        RedisFuture<List<Object>> reply = connection.async()
                .dispatch(StoreCommand.CHANGES, new NestedMultiOutput<>(CODEC), args(afterSeq, count));
        return new PendingChanges(afterSeq, reply.thenApply(StoreClient::batch).toCompletableFuture());
    }

    /** An {@code INV.CHANGES} on its way: the rows after {@code afterSeq}. */
    public record PendingChanges(long afterSeq, CompletableFuture<FeedBatch> batch) {
        /** Waits for the answer (at most the client's timeout); the store's failure as a RuntimeException. */
        public FeedBatch await() {
            return StoreClient.await(batch);
        }
    }

    private static FeedBatch batch(List<Object> reply) {
        List<FeedRow> rows = new ArrayList<>();
        for (Object o : (List<?>) reply.get(2)) {
            rows.add(row((List<?>) o));
        }
        return new FeedBatch((Long) reply.get(0), (Long) reply.get(1), rows);
    }

    /** {@code INV.ACK seq}: forgets the feed up to {@code seq}; answers how many rows still wait. */
    public long ack(long seq) {
        return redis.dispatch(StoreCommand.ACK, new IntegerOutput<>(CODEC), args(seq));
    }

    /** {@code INV.GET sku}, null if the store has no such SKU. */
    public StockFigures stock(String sku) {
        List<Object> reply = redis.dispatch(StoreCommand.GET, new NestedMultiOutput<>(CODEC), args(sku));
        return absent(reply) ? null : figures(reply);
    }

    /** {@code INV.GET} for many SKUs at once (pipelined); an unknown SKU maps to null. */
    public Map<String, StockFigures> stocks(List<String> skus) {
        RedisAsyncCommands<String, String> async = connection.async();
        List<RedisFuture<List<Object>>> futures = new ArrayList<>(skus.size());
        for (String sku : skus) {
            futures.add(async.dispatch(StoreCommand.GET, new NestedMultiOutput<>(CODEC), args(sku)));
        }
        Map<String, StockFigures> out = new HashMap<>();
        for (int i = 0; i < skus.size(); i++) {
            List<Object> reply = await(futures.get(i));
            out.put(skus.get(i), absent(reply) ? null : figures(reply));
        }
        return out;
    }

    /** {@code INV.RESERVATION} for many request ids at once (pipelined); unknown or forgotten ids map to null. */
    public Map<String, ReservationRow> reservations(List<String> requestIds) {
        RedisAsyncCommands<String, String> async = connection.async();
        List<RedisFuture<List<Object>>> futures = new ArrayList<>(requestIds.size());
        for (String id : requestIds) {
            futures.add(async.dispatch(StoreCommand.RESERVATION, new NestedMultiOutput<>(CODEC), args(id)));
        }
        Map<String, ReservationRow> out = new HashMap<>();
        for (int i = 0; i < requestIds.size(); i++) {
            List<Object> reply = await(futures.get(i));
            out.put(requestIds.get(i), absent(reply) ? null : reservation(reply));
        }
        return out;
    }

    /** Every SKU id the store has, through {@code INV.SCAN} pages. */
    public List<String> skuIds() {
        List<String> ids = new ArrayList<>();
        String cursor = "0";
        do {
            List<Object> page = redis.dispatch(StoreCommand.SCAN, new NestedMultiOutput<>(CODEC), args(cursor, "COUNT", 1000));
            cursor = (String) page.get(0);
            for (Object id : (List<?>) page.get(1)) {
                ids.add((String) id);
            }
        } while (!"0".equals(cursor));
        return ids;
    }

    /** {@code INV.CREATE sku total}; false if the SKU exists already. */
    public boolean create(String sku, long total) {
        try {
            redis.dispatch(StoreCommand.CREATE, new StatusOutput<>(CODEC), args(sku, total));
            return true;
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("EXISTS")) {
                return false;
            }
            throw e;
        }
    }

    /** {@code INV.RESTOCK sku delta}: the new available. */
    public long restock(String sku, long delta) {
        return redis.dispatch(StoreCommand.RESTOCK, new IntegerOutput<>(CODEC), args(sku, delta));
    }

    /** {@code INV.RESERVE sku qty reqId [USER uid] [TTL ms]}: available after it. */
    public long reserve(String sku, long qty, String requestId, String user, long ttlMs) {
        CommandArgs<String, String> a = args(sku, qty, requestId);
        if (user != null) {
            a.add("USER").add(user);
        }
        if (ttlMs > 0) {
            a.add("TTL").add(ttlMs);
        }
        return redis.dispatch(StoreCommand.RESERVE, new IntegerOutput<>(CODEC), a);
    }

    /** {@code INV.DEDUCT sku qty reqId [USER uid]}: available after it. */
    public long deduct(String sku, long qty, String requestId, String user) {
        CommandArgs<String, String> a = args(sku, qty, requestId);
        if (user != null) {
            a.add("USER").add(user);
        }
        return redis.dispatch(StoreCommand.DEDUCT, new IntegerOutput<>(CODEC), a);
    }

    /** {@code INV.RESERVEALL reqId [USER uid] [TTL ms] ITEMS sku qty ...}: all lines or none. */
    public void reserveAll(String requestId, String user, long ttlMs, List<ReservationRow.Line> lines) {
        CommandArgs<String, String> a = args(requestId);
        if (user != null) {
            a.add("USER").add(user);
        }
        if (ttlMs > 0) {
            a.add("TTL").add(ttlMs);
        }
        a.add("ITEMS");
        for (ReservationRow.Line l : lines) {
            a.add(l.sku()).add(l.quantity());
        }
        redis.dispatch(StoreCommand.RESERVEALL, new StatusOutput<>(CODEC), a);
    }

    /** {@code INV.CONFIRM reqId}. */
    public void confirm(String requestId) {
        redis.dispatch(StoreCommand.CONFIRM, new StatusOutput<>(CODEC), args(requestId));
    }

    /** The Lettuce connection, for commands this class does not wrap. */
    public StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    @Override
    public void close() {
        connection.close();
        if (ownsClient) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the store", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new io.lettuce.core.RedisCommandTimeoutException("the store did not answer in " + TIMEOUT);
        }
    }

    static FeedRow row(List<?> f) {
        long seq = (Long) f.get(0);
        String kind = (String) f.get(1);
        if ("sku".equals(kind)) {
            return new SkuRow(seq, (String) f.get(2), (Long) f.get(3), (Long) f.get(4), (Long) f.get(5), (Long) f.get(6));
        }
        if (!"reservation".equals(kind)) {
            throw new IllegalStateException("unknown change feed row kind: " + kind);
        }
        List<ReservationRow.Line> lines = new ArrayList<>();
        for (int i = 8; i + 1 < f.size(); i += 2) {
            lines.add(new ReservationRow.Line((String) f.get(i), (Long) f.get(i + 1)));
        }
        return new ReservationRow(seq, (String) f.get(2), (String) f.get(3), (String) f.get(4),
                (Long) f.get(5), (Long) f.get(6), (Long) f.get(7), lines);
    }

    /** A nil reply: Lettuce hands a nil bulk string to an array output as a one-element list holding null. */
    private static boolean absent(List<Object> reply) {
        return reply == null || reply.isEmpty() || reply.get(0) == null;
    }

    private static Map<String, Object> pairs(List<?> flat) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            m.put((String) flat.get(i), flat.get(i + 1));
        }
        return m;
    }

    private static StockFigures figures(List<?> flat) {
        Map<String, Object> m = pairs(flat);
        return new StockFigures((Long) m.get("total"), (Long) m.get("available"), (Long) m.get("reserved"), (Long) m.get("sold"));
    }

    private static ReservationRow reservation(List<?> flat) {
        Map<String, Object> m = pairs(flat);
        List<?> items = (List<?>) m.get("items");
        List<ReservationRow.Line> lines = new ArrayList<>();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            lines.add(new ReservationRow.Line((String) items.get(i), (Long) items.get(i + 1)));
        }
        Object expires = m.get("expiresAt");
        return new ReservationRow(0, (String) m.get("requestId"), ((String) m.get("state")).toLowerCase(Locale.ROOT),
                (String) m.get("user"), (Long) m.get("createdAt"), expires == null ? 0 : (Long) expires,
                (Long) m.get("updatedAt"), lines);
    }

    private static CommandArgs<String, String> args(Object... arguments) {
        CommandArgs<String, String> a = new CommandArgs<>(CODEC);
        for (Object o : arguments) {
            if (o instanceof Number n) {
                a.add(n.longValue());
            } else {
                a.add(String.valueOf(o));
            }
        }
        return a;
    }
}
