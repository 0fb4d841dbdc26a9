package dev.seckill.service.store;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
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
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one class that sends commands to the counter-store, embedded or external alike: one
 * shared Lettuce connection (Lettuce pipelines the commands of all request threads on it, so
 * the store packs them into few log entries), a circuit breaker in front, and the round trip
 * timed as {@code seckill.store.roundtrip}.
 * <p>
 * Answers come in three kinds: a value; a {@link StoreRefusal} (the store said no: sold out,
 * expired...); a {@link StoreUnavailableException} (no answer now: timeout, connection lost, no
 * leader, change feed full, breaker open). Only the last kind counts against the breaker.
 */
public final class StoreGateway implements AutoCloseable {
    private static final StringCodec CODEC = StringCodec.UTF8;

    private final RedisURI uri;
    private final Duration timeout;
    private final CircuitBreaker breaker;
    private final MeterRegistry meters;
    private final ClientResources resources;
    private final RedisClient client;
    private final Map<String, Timer> roundTrips = new ConcurrentHashMap<>();
    private static final long RECONNECT_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private volatile StatefulRedisConnection<String, String> connection;
    private volatile long lastConnectFailure = System.nanoTime() - RECONNECT_PAUSE_NANOS;

    public StoreGateway(RedisURI uri, Duration timeout, CircuitBreaker breaker, MeterRegistry meters) {
        this.uri = uri;
        this.timeout = timeout;
        this.breaker = breaker;
        this.meters = meters;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // while disconnected, fail at once instead of queueing requests behind the outage
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
    }

    /** {@code redis://host:port} of the store this gateway talks to. */
    public String uri() {
        return "redis://" + uri.getHost() + ":" + uri.getPort();
    }

    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    // ---- inventory -------------------------------------------------------------------------

    /** {@code INV.CREATE sku total}; refused with {@code EXISTS}. */
    public void create(String sku, long total) {
        call(StoreCommand.INV_CREATE, args(sku, total));
    }

    /** {@code INV.RESTOCK sku delta}: the new available; refused with {@code NOSUCHSKU}, {@code INSUFFICIENT n}. */
    public long restock(String sku, long delta) {
        return (Long) call(StoreCommand.INV_RESTOCK, args(sku, delta));
    }

    /** {@code INV.GET sku}, empty if the store does not know the SKU. */
    public Optional<Stock> stock(String sku) {
        return Optional.ofNullable(toStock(call(StoreCommand.INV_GET, args(sku))));
    }

    /** The stock of several SKUs in one pipelined round trip; unknown SKUs are left out. */
    public Map<String, Stock> stocks(Collection<String> skus) {
        Map<String, Stock> out = new LinkedHashMap<>();
        if (skus.isEmpty()) {
            return out;
        }
        List<String> order = new ArrayList<>(skus);
        Object[] replies = pipeline("INV.GET", order.stream()
                .map(sku -> new Request(StoreCommand.INV_GET, args(sku))).toArray(Request[]::new));
        for (int i = 0; i < order.size(); i++) {
            Stock s = toStock(replies[i]);
            if (s != null) {
                out.put(order.get(i), s);
            }
        }
        return out;
    }

    /**
     * {@code INV.RESERVE sku qty reqId USER user [LIMIT n] TTL ms}, with the request id read just
     * before and just after in the same pipeline: before tells a replay from a first attempt,
     * after gives the reservation as the store keeps it (its user, quantity and expiry).
     *
     * @param limit the most units {@code user} may hold or have bought of this SKU; null for none
     */
    public ReserveResult reserve(String sku, long qty, String requestId, String user, Integer limit, long ttlMillis) {
        CommandArgs<String, String> reserve = args(sku, qty, requestId, "USER", user);
        if (limit != null) {
            reserve.add("LIMIT").add(limit);
        }
        reserve.add("TTL").add(ttlMillis);
        Object[] r = pipeline("INV.RESERVE",
                new Request(StoreCommand.INV_RESERVATION, args(requestId)),
                new Request(StoreCommand.INV_RESERVE, reserve),
                new Request(StoreCommand.INV_RESERVATION, args(requestId)));
        boolean replay = r[0] != null;
        if (r[1] instanceof StoreRefusal refusal) {
            return new ReserveResult(replay, -1, refusal, null);
        }
        return new ReserveResult(replay, (Long) r[1], null, toReservation(r[2]));
    }

    /**
     * What {@link #reserve} found.
     *
     * @param replay         the request id was known before this call
     * @param availableAfter the store's first answer: units available right after the reservation
     * @param refusal        the store's (first) refusal, or null
     * @param reservation    the reservation as the store keeps it, null when refused
     */
    public record ReserveResult(boolean replay, long availableAfter, StoreRefusal refusal,
                                StoredReservation reservation) {
    }

    /** {@code INV.CONFIRM reqId} then the reservation as it is after (one pipeline). */
    public StoredReservation confirm(String requestId) {
        return finish(StoreCommand.INV_CONFIRM, requestId);
    }

    /** {@code INV.CANCEL reqId} then the reservation as it is after (one pipeline). */
    public StoredReservation cancel(String requestId) {
        return finish(StoreCommand.INV_CANCEL, requestId);
    }

    private StoredReservation finish(StoreCommand command, String requestId) {
        Object[] r = pipeline(command.toString(),
                new Request(command, args(requestId)),
                new Request(StoreCommand.INV_RESERVATION, args(requestId)));
        if (r[0] instanceof StoreRefusal refusal) {
            throw refusal;
        }
        return toReservation(r[1]);
    }

    /** {@code INV.RESERVATION reqId}, empty if unknown (or only ever refused). */
    public Optional<StoredReservation> reservation(String requestId) {
        return Optional.ofNullable(toReservation(call(StoreCommand.INV_RESERVATION, args(requestId))));
    }

    // ---- server ----------------------------------------------------------------------------

    /** {@code INFO section} as key -> value, e.g. {@code replication} (role, leader, commit index) or {@code persistence}. */
    public Map<String, String> info(String section) {
        String text = (String) call(StoreCommand.INFO, args(section));
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0) {
                m.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return m;
    }

    /** {@code PING}: "PONG" when the store answers. */
    public String ping() {
        return (String) call(StoreCommand.PING, new CommandArgs<>(CODEC));
    }

    // ---- plumbing --------------------------------------------------------------------------

    private record Request(StoreCommand command, CommandArgs<String, String> args) {
    }

    /** One command; a refusal is thrown. */
    private Object call(StoreCommand command, CommandArgs<String, String> args) {
        Object reply = pipeline(command.toString(), new Request(command, args))[0];
        if (reply instanceof StoreRefusal refusal) {
            throw refusal;
        }
        return reply;
    }

    /**
     * Sends the requests back to back on the shared connection and waits for all of them, within
     * one timeout. A refusal comes back in its slot as a {@link StoreRefusal}; anything that
     * means "no answer now" throws {@link StoreUnavailableException}.
     */
    private Object[] pipeline(String name, Request... requests) {
        try {
            breaker.acquirePermission();
        } catch (CallNotPermittedException e) {
            throw new StoreUnavailableException("the store circuit breaker is open");
        }
        long start = System.nanoTime();
        try {
            RedisAsyncCommands<String, String> async = connection().async();
            List<RedisFuture<Object>> futures = new ArrayList<>(requests.length);
            for (Request r : requests) {
                futures.add(async.dispatch(r.command(), new ReplyTree(), r.args()));
            }
            long deadline = start + timeout.toNanos();
            Object[] replies = new Object[requests.length];
            for (int i = 0; i < replies.length; i++) {
                replies[i] = await(futures.get(i), deadline);
            }
            long took = System.nanoTime() - start;
            breaker.onResult(took, TimeUnit.NANOSECONDS, replies);
            roundTrips.computeIfAbsent(name, n -> Timer.builder("seckill.store.roundtrip")
                    .description("one pipelined exchange with the counter-store")
                    .tag("command", n).register(meters)).record(took, TimeUnit.NANOSECONDS);
            return replies;
        } catch (StoreUnavailableException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw e;
        } catch (IllegalStateException e) {
            breaker.releasePermission(); // a bug on this side, not the store's health
            throw e;
        } catch (RuntimeException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw new StoreUnavailableException("the store call failed: " + e.getMessage(), e);
        }
    }

    private static Object await(RedisFuture<Object> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new StoreUnavailableException("the store did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the store");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RedisCommandExecutionException error) {
                return refusalOrFailure(error.getMessage());
            }
            throw new StoreUnavailableException("the store call failed: " + cause.getMessage(), cause);
        }
    }

    /** Business refusals are answers; the rest means the store cannot serve now, or a bug here. */
    private static StoreRefusal refusalOrFailure(String line) {
        String code = line == null ? "" : line.split("\\s+", 2)[0];
        return switch (code) {
            case "TRYAGAIN", "BACKLOG", "LOADING", "NOAUTH" ->
                    throw new StoreUnavailableException("the store cannot serve now: " + line);
            case "ERR", "WRONGTYPE", "" -> throw new IllegalStateException("the store refused a command: " + line);
            default -> new StoreRefusal(line);
        };
    }

    /**
     * The shared connection, made on first use so the service starts (and reports unhealthy)
     * while an external store is still down. After a failed attempt, callers fail at once for a
     * second instead of queueing behind another connect.
     */
    private StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c;
        }
        if (System.nanoTime() - lastConnectFailure < RECONNECT_PAUSE_NANOS) {
            throw new StoreUnavailableException("not connected to the store at " + uri());
        }
        synchronized (this) {
            if (connection != null) {
                return connection;
            }
            if (System.nanoTime() - lastConnectFailure < RECONNECT_PAUSE_NANOS) {
                throw new StoreUnavailableException("not connected to the store at " + uri());
            }
            try {
                connection = client.connect();
                return connection;
            } catch (RuntimeException e) {
                lastConnectFailure = System.nanoTime();
                throw new StoreUnavailableException("cannot connect to the store at " + uri() + ": " + e.getMessage(), e);
            }
        }
    }

    private static CommandArgs<String, String> args(Object... values) {
        CommandArgs<String, String> a = new CommandArgs<>(CODEC);
        for (Object v : values) {
            if (v instanceof Number n) {
                a.add(n.longValue());
            } else {
                a.add(String.valueOf(v));
            }
        }
        return a;
    }

    private static Stock toStock(Object reply) {
        Map<String, Object> m = asMap(reply);
        if (m == null) {
            return null;
        }
        return new Stock(num(m, "total"), num(m, "available"), num(m, "reserved"), num(m, "sold"));
    }

    private static StoredReservation toReservation(Object reply) {
        Map<String, Object> m = asMap(reply);
        if (m == null) {
            return null;
        }
        Object expires = m.get("expiresAt");
        return new StoredReservation((String) m.get("requestId"), (String) m.get("sku"), num(m, "qty"),
                (String) m.get("user"), (String) m.get("state"), num(m, "createdAt"),
                expires == null ? null : ((Number) expires).longValue(), num(m, "updatedAt"));
    }

    /** A RESP3 map, or a RESP2 flat key, value, ... array, as a map; nil stays null. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object reply) {
        if (reply == null) {
            return null;
        }
        if (reply instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        List<?> flat = (List<?>) reply;
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            m.put((String) flat.get(i), flat.get(i + 1));
        }
        return m;
    }

    private static long num(Map<String, Object> m, String field) {
        Object v = m.get(field);
        if (!(v instanceof Number n)) {
            throw new IllegalStateException("the store's reply has no number " + field + ": " + m);
        }
        return n.longValue();
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
