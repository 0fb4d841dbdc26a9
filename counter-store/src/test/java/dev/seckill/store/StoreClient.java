package dev.seckill.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lettuce, set up for crash tests, plus the store's inventory commands. A connection never
 * reconnects and never replays a command by itself (at most once): when the store dies, every
 * command it did not answer fails, so a test knows exactly which requests are unanswered.
 */
final class StoreClient implements AutoCloseable {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    static final ProtocolKeyword INV_CREATE = keyword("INV.CREATE");
    static final ProtocolKeyword INV_RESTOCK = keyword("INV.RESTOCK");
    static final ProtocolKeyword INV_GET = keyword("INV.GET");
    static final ProtocolKeyword INV_RESERVE = keyword("INV.RESERVE");
    static final ProtocolKeyword INV_CONFIRM = keyword("INV.CONFIRM");
    static final ProtocolKeyword INV_CANCEL = keyword("INV.CANCEL");
    static final ProtocolKeyword INV_RESERVATION = keyword("INV.RESERVATION");
    static final ProtocolKeyword INV_SCAN = keyword("INV.SCAN");
    static final ProtocolKeyword INV_ACK = keyword("INV.ACK");

    private final RedisClient client;
    private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();

    StoreClient(StoreProcess store) {
        this(store.uri());
    }

    StoreClient(String uri) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(COMMAND_TIMEOUT);
        client = RedisClient.create(redisUri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2) // maps arrive as flat arrays
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(10)).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
    }

    /** A new connection of its own (closed with this client). */
    synchronized StatefulRedisConnection<String, String> connect() {
        StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
        connections.add(c);
        return c;
    }

    @Override
    public void close() {
        synchronized (this) {
            for (StatefulRedisConnection<String, String> c : connections) {
                c.closeAsync();
            }
            connections.clear();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    // ---- commands (asynchronous: pipelining is simply not waiting) ----

    static RedisFuture<Long> reserve(RedisAsyncCommands<String, String> c, String sku, long qty, String reqId,
                                     String... options) {
        CommandArgs<String, String> args = args().add(sku).add(qty).add(reqId);
        for (String o : options) {
            args.add(o);
        }
        return c.dispatch(INV_RESERVE, new IntegerOutput<>(StringCodec.UTF8), args);
    }

    static RedisFuture<String> create(RedisAsyncCommands<String, String> c, String sku, long total) {
        return c.dispatch(INV_CREATE, new StatusOutput<>(StringCodec.UTF8), args().add(sku).add(total));
    }

    static RedisFuture<Long> restock(RedisAsyncCommands<String, String> c, String sku, long delta) {
        return c.dispatch(INV_RESTOCK, new IntegerOutput<>(StringCodec.UTF8), args().add(sku).add(delta));
    }

    static RedisFuture<String> confirm(RedisAsyncCommands<String, String> c, String reqId) {
        return c.dispatch(INV_CONFIRM, new StatusOutput<>(StringCodec.UTF8), args().add(reqId));
    }

    static RedisFuture<String> cancel(RedisAsyncCommands<String, String> c, String reqId) {
        return c.dispatch(INV_CANCEL, new StatusOutput<>(StringCodec.UTF8), args().add(reqId));
    }

    static RedisFuture<Long> ack(RedisAsyncCommands<String, String> c, long seq) {
        return c.dispatch(INV_ACK, new IntegerOutput<>(StringCodec.UTF8), args().add(seq));
    }

    /** INV.GET: {total, available, reserved, sold}, or null for an unknown SKU. */
    static CompletableFuture<Map<String, Object>> stock(RedisAsyncCommands<String, String> c, String sku) {
        return map(c.dispatch(INV_GET, new NestedMultiOutput<>(StringCodec.UTF8), args().add(sku)));
    }

    /** INV.RESERVATION: the reservation's fields (state, qty, sku, ...), or null if unknown or refused. */
    static CompletableFuture<Map<String, Object>> reservation(RedisAsyncCommands<String, String> c, String reqId) {
        return map(c.dispatch(INV_RESERVATION, new NestedMultiOutput<>(StringCodec.UTF8), args().add(reqId)));
    }

    /** Every SKU id, through INV.SCAN. */
    static List<String> allSkus(RedisAsyncCommands<String, String> c) {
        List<String> ids = new ArrayList<>();
        String cursor = "0";
        do {
            List<Object> page = get(c.dispatch(INV_SCAN, new NestedMultiOutput<>(StringCodec.UTF8),
                    args().add(cursor).add("COUNT").add(1000)));
            cursor = (String) page.get(0);
            for (Object id : (List<?>) page.get(1)) {
                ids.add((String) id);
            }
        } while (!cursor.equals("0"));
        return ids;
    }

    /** One INFO section as key -> value. */
    static Map<String, String> info(RedisAsyncCommands<String, String> c, String section) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : get(c.info(section)).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0) {
                m.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return m;
    }

    private static CompletableFuture<Map<String, Object>> map(RedisFuture<List<Object>> reply) {
        return reply.toCompletableFuture().thenApply(list -> {
            if (list == null || list.isEmpty() || (list.size() == 1 && list.get(0) == null)) {
                return null;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i + 1 < list.size(); i += 2) {
                m.put(String.valueOf(list.get(i)), list.get(i + 1));
            }
            return m;
        });
    }

    private static CommandArgs<String, String> args() {
        return new CommandArgs<>(StringCodec.UTF8);
    }

    /** Waits for a reply (up to the command timeout plus a margin); unwraps the failure. */
    static <T> T get(java.util.concurrent.Future<T> f) {
        try {
            return f.get(COMMAND_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no reply within " + COMMAND_TIMEOUT + " (client hangs)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static RuntimeException unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    /**
     * What the store answered one command: a value, or an error reply ({@code -SOLDOUT},
     * {@code -INSUFFICIENT 3}, ...). Equal answers are what idempotency promises a retry.
     */
    record Answer(Object value, String error) {
        static Answer of(Object value) {
            return new Answer(value, null);
        }

        static Answer refused(String error) {
            return new Answer(null, error);
        }

        boolean ok() {
            return error == null;
        }

        /** The refusal's code: SOLDOUT, INSUFFICIENT, LIMIT, ... */
        String code() {
            return error == null ? null : error.split(" ", 2)[0];
        }

        @Override
        public String toString() {
            return ok() ? String.valueOf(value) : "-" + error;
        }
    }

    /** A completed command's answer, or null if it got none (connection died, rejected by the client). */
    static Answer answerOf(Object value, Throwable failure) {
        if (failure == null) {
            return Answer.of(value);
        }
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RedisCommandExecutionException e) {
            return Answer.refused(e.getMessage());
        }
        return null;
    }

    /** Waits for a command and returns its answer; fails the test if there was none. */
    static Answer answer(java.util.concurrent.Future<?> f) {
        try {
            return Answer.of(get(f));
        } catch (RedisCommandExecutionException e) {
            return Answer.refused(e.getMessage());
        }
    }

    static long asLong(Object o) {
        return ((Number) o).longValue();
    }

    private static ProtocolKeyword keyword(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        return new ProtocolKeyword() {
            @Override
            public byte[] getBytes() {
                return bytes;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
