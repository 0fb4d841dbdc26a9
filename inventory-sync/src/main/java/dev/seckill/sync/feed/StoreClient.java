package dev.seckill.sync.feed;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
import java.util.function.Function;

/**
 * The inventory commands of one counter-store shard through Lettuce (custom commands with
 * {@code dispatch}), typed. Speaks RESP2 so map replies arrive as flat arrays. Refusals come back
 * as {@link io.lettuce.core.RedisCommandExecutionException} carrying the store's error line.
 *
 * <p>Thread-safe (one Lettuce connection at a time, which multiplexes). The shard may be given as
 * the list of its nodes ({@link StoreNodes}): the client talks to one of them and, when that node
 * fails (connection refused or lost, no answer in time, or {@code -TRYAGAIN}/{@code -LOADING}: it
 * cannot commit now), moves to the next one. A command that is safe to send twice (a read, an
 * {@code INV.ACK}, anything carrying a request id) is then sent again to the next nodes, for a
 * few seconds at most; one that is not ({@code INV.CREATE}, {@code INV.RESTOCK} without a request
 * id) fails, since the failed node may have applied it. Lettuce never resends on its own (no
 * auto-reconnect): a lost connection is replaced on the next call, starting with the next node.
 */
public final class StoreClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StoreClient.class.getName());
    private static final StringCodec CODEC = StringCodec.UTF8;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** How long a command keeps going round the nodes while none can take it (an election takes about 1 s). */
    private static final Duration RETRY_BUDGET = Duration.ofSeconds(3);

    private final RedisClient client;
    private final boolean ownsClient;
    private final List<RedisURI> nodes;
    /** The node connected to, or to try first; written under this (read without: {@link #node()}). */
    private volatile int current;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean closed;

    private StoreClient(RedisClient client, boolean ownsClient, List<RedisURI> nodes) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.nodes = nodes;
        connection(); // fail fast when no node answers
    }

    /**
     * Connects to {@code redis://[:password@]host:port}, or to the first node that answers of a
     * list {@code redis://a:7001,redis://b:7002,...} (see {@link StoreNodes}); fails fast when
     * none answers.
     *
     * @throws IllegalArgumentException a bad address (the message names it)
     * @throws RedisConnectionException no node answers
     */
    public static StoreClient connect(String uri) {
        List<RedisURI> nodes = parse(uri);
        RedisClient client = RedisClient.create();
        client.setOptions(options());
        try {
            return new StoreClient(client, true, nodes);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw e;
        }
    }

    /** A connection of a client the caller owns (and shuts down); this closes only the connection. */
    public static StoreClient connect(RedisClient client, String uri) {
        return new StoreClient(client, false, parse(uri));
    }

    /** The nodes of {@code redis://host:port}, {@code redis://:password@host:port} or a list of them; a clear error otherwise. */
    public static List<RedisURI> parse(String uri) {
        List<RedisURI> nodes = StoreNodes.parse(uri);
        nodes.forEach(n -> n.setTimeout(TIMEOUT));
        return nodes;
    }

    private static ClientOptions options() {
        return ClientOptions.builder()
                .protocolVersion(ProtocolVersion.RESP2)
                // this class reconnects (to the next node): Lettuce must neither resend a command
                // on its own after a reconnect nor hold it while disconnected
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).build())
                .build();
    }

    /** {@code redis://host:port} of the node this client talks to now (no password). */
    public String node() {
        return StoreNodes.describe(nodes.get(current));
    }

    /**
     * The open connection, or a new one: to the node that answered last, else (it was lost) to
     * the next ones in order, each tried once.
     *
     * @throws RedisConnectionException no node answers
     */
    private StatefulRedisConnection<String, String> connection0() {
        StatefulRedisConnection<String, String> c = connection;
        return c != null && c.isOpen() ? c : reconnect(); // no lock on the way of every command
    }

    private synchronized StatefulRedisConnection<String, String> reconnect() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && c.isOpen()) {
            return c;
        }
        if (closed) {
            throw new RedisException("the store client is closed");
        }
        if (c != null) {
            c.closeAsync();
            connection = null;
            current = (current + 1) % nodes.size(); // it was lost: its node last
        }
        StringBuilder failures = new StringBuilder();
        for (int k = 0; k < nodes.size(); k++) {
            int i = (current + k) % nodes.size();
            RedisURI node = nodes.get(i);
            try {
                StatefulRedisConnection<String, String> fresh = client.connect(CODEC, node);
                fresh.setTimeout(TIMEOUT);
                if (i != current || k > 0) {
                    LOG.log(System.Logger.Level.INFO, "store: now using node " + StoreNodes.describe(node));
                }
                current = i;
                connection = fresh;
                return fresh;
            } catch (RuntimeException e) {
                failures.append(failures.isEmpty() ? "" : "; ").append(StoreNodes.describe(node)).append(": ")
                        .append(firstLine(e));
            }
        }
        throw new RedisConnectionException(nodes.size() == 1 ? failures.toString()
                : "no store node answers (" + failures + ")");
    }

    /** Gives up the connection {@code c} (its node failed): the next call starts with the next node. */
    private synchronized void leave(StatefulRedisConnection<String, String> c, RuntimeException why) {
        if (connection != c) {
            return; // another thread left it already
        }
        connection = null;
        c.closeAsync();
        RedisURI failed = nodes.get(current);
        current = (current + 1) % nodes.size();
        if (nodes.size() > 1) {
            LOG.log(System.Logger.Level.WARNING, "store node " + StoreNodes.describe(failed) + " failed ("
                    + firstLine(why) + "); trying " + StoreNodes.describe(nodes.get(current)) + " next");
        }
    }

    /**
     * Runs {@code command} on a node; on a node failure moves to the next node and, if the
     * command is {@code repeatable} (safe to apply twice), runs it there. When every node failed
     * in turn it pauses briefly (50 ms, doubling) and goes round again, for up to
     * {@link #RETRY_BUDGET} in all: long enough for a new leader to be elected.
     */
    private <T> T call(boolean repeatable, Function<StatefulRedisConnection<String, String>, T> command) {
        long giveUpAt = System.nanoTime() + RETRY_BUDGET.toNanos();
        long pauseMs = 50;
        for (int attempt = 1; ; attempt++) {
            RuntimeException failure;
            try {
                StatefulRedisConnection<String, String> c = connection0();
                try {
                    return command.apply(c);
                } catch (RuntimeException e) {
                    if (!nodeFailed(e)) {
                        throw e;
                    }
                    leave(c, e);
                    if (!repeatable) {
                        throw e;
                    }
                    failure = e;
                }
            } catch (RedisConnectionException noNode) {
                failure = noNode; // every node refused: nothing was sent
                attempt = (attempt + nodes.size() - 1) / nodes.size() * nodes.size(); // a whole round
            }
            if (attempt % nodes.size() == 0) {
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs) > giveUpAt) {
                    throw failure;
                }
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure;
                }
                pauseMs = Math.min(pauseMs * 2, 500);
            }
        }
    }

    /**
     * The node, not the command, failed: the connection is gone or never came, the node did not
     * answer in time, or it cannot commit now ({@code -TRYAGAIN}: no leader, cut off;
     * {@code -LOADING}: starting). A refusal ({@code -SOLDOUT}, {@code -EXISTS}...) is an answer.
     */
    static boolean nodeFailed(Throwable e) {
        if (e instanceof RedisCommandExecutionException refusal) {
            String m = refusal.getMessage() == null ? "" : refusal.getMessage();
            return m.startsWith("TRYAGAIN") || m.startsWith("LOADING");
        }
        return e instanceof RedisException; // connection lost, refused, not connected, timed out
    }

    private static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().contains("Unable to connect"))) {
            t = t.getCause(); // Lettuce's "Unable to connect to host:port" hides the reason
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** {@code INV.CHANGES afterSeq count}. */
    public FeedBatch changes(long afterSeq, int count) {
        return call(true, c -> batch(c.sync().dispatch(StoreCommand.CHANGES, new NestedMultiOutput<>(CODEC),
                args(afterSeq, count))));
    }

    /**
     * {@code INV.CHANGES afterSeq count} without waiting: the answer is decoded on Lettuce's I/O
     * thread, so the caller can write the previous batch meanwhile. A read: it changes nothing
     * in the store, so a fetch that is never used costs only its bytes. Not sent again on another
     * node if this one fails: the caller polls afresh.
     */
    public PendingChanges changesAhead(long afterSeq, int count) {
        StatefulRedisConnection<String, String> c = connection0();
        RedisFuture<List<Object>> reply = c.async()
                .dispatch(StoreCommand.CHANGES, new NestedMultiOutput<>(CODEC), args(afterSeq, count));
        return new PendingChanges(afterSeq, reply.thenApply(StoreClient::batch).toCompletableFuture(), this, c);
    }

    /** An {@code INV.CHANGES} on its way: the rows after {@code afterSeq}. */
    public static final class PendingChanges {
        private final long afterSeq;
        private final CompletableFuture<FeedBatch> batch;
        private final StoreClient client;
        private final StatefulRedisConnection<String, String> sentOn;

        private PendingChanges(long afterSeq, CompletableFuture<FeedBatch> batch, StoreClient client,
                               StatefulRedisConnection<String, String> sentOn) {
            this.afterSeq = afterSeq;
            this.batch = batch;
            this.client = client;
            this.sentOn = sentOn;
        }

        public long afterSeq() {
            return afterSeq;
        }

        /**
         * Waits for the answer (at most the client's timeout); the store's failure as a
         * RuntimeException, after which the client's next call goes to the next node if this
         * one failed (decided here, on the caller's thread, never on Lettuce's I/O thread).
         */
        public FeedBatch await() {
            try {
                return StoreClient.await(batch);
            } catch (RuntimeException e) {
                if (nodeFailed(e)) {
                    client.leave(sentOn, e);
                }
                throw e;
            }
        }
    }

    private static FeedBatch batch(List<Object> reply) {
        List<FeedRow> rows = new ArrayList<>();
        for (Object o : (List<?>) reply.get(2)) {
            rows.add(row((List<?>) o));
        }
        return new FeedBatch((Long) reply.get(0), (Long) reply.get(1), rows);
    }

    /**
     * {@code INV.ACK seq}: forgets the feed up to {@code seq}; answers how many rows still wait.
     * Safe to send again: acknowledging up to a sequence twice is acknowledging it once.
     */
    public long ack(long seq) {
        return call(true, c -> c.sync().dispatch(StoreCommand.ACK, new IntegerOutput<>(CODEC), args(seq)));
    }

    /** {@code INV.GET sku}, null if the store has no such SKU. */
    public StockFigures stock(String sku) {
        List<Object> reply = call(true, c -> c.sync().dispatch(StoreCommand.GET, new NestedMultiOutput<>(CODEC), args(sku)));
        return absent(reply) ? null : figures(reply);
    }

    /** {@code INV.GET} for many SKUs at once (pipelined); an unknown SKU maps to null. */
    public Map<String, StockFigures> stocks(List<String> skus) {
        return call(true, c -> {
            RedisAsyncCommands<String, String> async = c.async();
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
        });
    }

    /** {@code INV.RESERVATION} for many request ids at once (pipelined); unknown or forgotten ids map to null. */
    public Map<String, ReservationRow> reservations(List<String> requestIds) {
        return call(true, c -> {
            RedisAsyncCommands<String, String> async = c.async();
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
        });
    }

    /** Every SKU id the store has, through {@code INV.SCAN} pages. */
    public List<String> skuIds() {
        List<String> ids = new ArrayList<>();
        String cursor = "0";
        do {
            String from = cursor;
            List<Object> page = call(true, c -> c.sync().dispatch(StoreCommand.SCAN, new NestedMultiOutput<>(CODEC),
                    args(from, "COUNT", 1000)));
            cursor = (String) page.get(0);
            for (Object id : (List<?>) page.get(1)) {
                ids.add((String) id);
            }
        } while (!"0".equals(cursor));
        return ids;
    }

    /**
     * {@code INV.CREATE sku total}; false if the SKU exists already. Not sent again after a node
     * failure: a second attempt could answer EXISTS for the SKU the first one created.
     */
    public boolean create(String sku, long total) {
        try {
            call(false, c -> c.sync().dispatch(StoreCommand.CREATE, new StatusOutput<>(CODEC), args(sku, total)));
            return true;
        } catch (RedisCommandExecutionException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("EXISTS")) {
                return false;
            }
            throw e;
        }
    }

    /** {@code INV.RESTOCK sku delta}: the new available. No request id: never sent twice. */
    public long restock(String sku, long delta) {
        return call(false, c -> c.sync().dispatch(StoreCommand.RESTOCK, new IntegerOutput<>(CODEC), args(sku, delta)));
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
        return call(true, c -> c.sync().dispatch(StoreCommand.RESERVE, new IntegerOutput<>(CODEC), a));
    }

    /** {@code INV.DEDUCT sku qty reqId [USER uid]}: available after it. */
    public long deduct(String sku, long qty, String requestId, String user) {
        CommandArgs<String, String> a = args(sku, qty, requestId);
        if (user != null) {
            a.add("USER").add(user);
        }
        return call(true, c -> c.sync().dispatch(StoreCommand.DEDUCT, new IntegerOutput<>(CODEC), a));
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
        call(true, c -> c.sync().dispatch(StoreCommand.RESERVEALL, new StatusOutput<>(CODEC), a));
    }

    /** {@code INV.CONFIRM reqId}. */
    public void confirm(String requestId) {
        call(true, c -> c.sync().dispatch(StoreCommand.CONFIRM, new StatusOutput<>(CODEC), args(requestId)));
    }

    /** The Lettuce connection to the current node, for commands this class does not wrap. */
    public StatefulRedisConnection<String, String> connection() {
        return connection0();
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c;
        synchronized (this) {
            closed = true;
            c = connection;
            connection = null;
        }
        if (c != null) {
            c.close();
        }
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
