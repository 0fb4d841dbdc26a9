package dev.seckill.service.store;

import dev.seckill.service.store.StoreTransport.ErrorLine;
import dev.seckill.service.store.StoreTransport.Request;
import dev.seckill.store.local.LocalClient;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The one class that sends commands to the counter-store, embedded or external alike: through a
 * {@link StoreTransport} (in-process calls into the embedded node, or one shared Lettuce
 * connection to an external store), a circuit breaker in front, and the round trip timed as
 * {@code seckill.store.roundtrip}.
 * <p>
 * Answers come in three kinds: a value; a {@link StoreRefusal} (the store said no: sold out,
 * expired...); a {@link StoreUnavailableException} (no answer now: timeout, connection lost, no
 * leader, change feed full, breaker open). Only the last kind counts against the breaker.
 */
public final class StoreGateway implements AutoCloseable {
    private final StoreTransport transport;
    private final Duration timeout;
    private final CircuitBreaker breaker;
    private final MeterRegistry meters;
    private final Map<String, Timer> roundTrips = new ConcurrentHashMap<>();

    private StoreGateway(StoreTransport transport, Duration timeout, CircuitBreaker breaker, MeterRegistry meters) {
        this.transport = transport;
        this.timeout = timeout;
        this.breaker = breaker;
        this.meters = meters;
    }

    /**
     * A gateway speaking RESP (through Lettuce) to the store at {@code nodes}: one node, or the
     * nodes of its Raft group, used one at a time with failover (see {@link LettuceTransport}).
     */
    public static StoreGateway overResp(List<RedisURI> nodes, Duration timeout, CircuitBreaker breaker, MeterRegistry meters) {
        return new StoreGateway(new LettuceTransport(nodes, timeout), timeout, breaker, meters);
    }

    /**
     * A gateway calling a store node in this JVM directly; {@code uri} is where that node also
     * listens for RESP clients (what {@link #uri()} reports).
     */
    public static StoreGateway inProcess(LocalClient client, String uri, Duration timeout, CircuitBreaker breaker,
                                         MeterRegistry meters) {
        return new StoreGateway(new LocalTransport(client, uri), timeout, breaker, meters);
    }

    /**
     * {@code redis://host:port} of the store this gateway talks to: of several nodes, the one
     * that answered last (where the next call goes first).
     */
    public String uri() {
        return transport.uri();
    }

    /** Every store node this gateway may use, in the order configured. */
    public List<String> nodes() {
        return transport.nodes();
    }

    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    // ---- inventory -------------------------------------------------------------------------

    /** {@code INV.CREATE sku total}; refused with {@code EXISTS}. */
    public void create(String sku, long total) {
        call(StoreCommand.INV_CREATE, sku, total);
    }

    /**
     * {@code INV.RESTOCK sku delta [reqId]}: the new available; refused with {@code NOSUCHSKU},
     * {@code INSUFFICIENT n}. With a request id a retry adds nothing again and gets the first answer.
     *
     * @param requestId null: applied every time it is sent
     */
    public long restock(String sku, long delta, String requestId) {
        return (Long) (requestId == null ? call(StoreCommand.INV_RESTOCK, sku, delta)
                : call(StoreCommand.INV_RESTOCK, sku, delta, requestId));
    }

    /** {@code INV.GET sku}, empty if the store does not know the SKU. */
    public Optional<Stock> stock(String sku) {
        return Optional.ofNullable(toStock(call(StoreCommand.INV_GET, sku)));
    }

    /** {@link #stock} without waiting; the answer completes on {@code continueOn}. */
    public CompletableFuture<Optional<Stock>> stockAsync(String sku, Executor continueOn) {
        return pipelineAsync("INV.GET", continueOn, new Request(StoreCommand.INV_GET, sku))
                .thenApply(replies -> {
                    if (replies[0] instanceof StoreRefusal refusal) {
                        throw refusal;
                    }
                    return Optional.ofNullable(toStock(replies[0]));
                });
    }

    /** The stock of several SKUs in one pipelined round trip; unknown SKUs are left out. */
    public Map<String, Stock> stocks(Collection<String> skus) {
        Map<String, Stock> out = new LinkedHashMap<>();
        if (skus.isEmpty()) {
            return out;
        }
        List<String> order = new ArrayList<>(skus);
        Object[] replies = pipeline("INV.GET", order.stream()
                .map(sku -> new Request(StoreCommand.INV_GET, sku)).toArray(Request[]::new));
        for (int i = 0; i < order.size(); i++) {
            Stock s = toStock(replies[i]);
            if (s != null) {
                out.put(order.get(i), s);
            }
        }
        return out;
    }

    /**
     * {@code INV.RESERVE sku qty reqId USER user [LIMIT n] TTL ms DETAIL}: one command that
     * answers, on success, the reservation as the store keeps it (user, quantity, expiry), the
     * units available after the original reservation, and whether the request id had reserved
     * before (a replay).
     *
     * @param limit the most units {@code user} may hold or have bought of this SKU; null for none
     */
    public ReserveResult reserve(String sku, long qty, String requestId, String user, Integer limit, long ttlMillis) {
        return reserveResult(pipeline("INV.RESERVE", reserveRequest(sku, qty, requestId, user, limit, ttlMillis))[0]);
    }

    /**
     * {@link #reserve} without waiting: the result, or the {@link StoreUnavailableException},
     * completes the future on {@code continueOn}.
     */
    public CompletableFuture<ReserveResult> reserveAsync(String sku, long qty, String requestId, String user,
                                                         Integer limit, long ttlMillis, Executor continueOn) {
        return pipelineAsync("INV.RESERVE", continueOn, reserveRequest(sku, qty, requestId, user, limit, ttlMillis))
                .thenApply(replies -> reserveResult(replies[0]));
    }

    private static Request reserveRequest(String sku, long qty, String requestId, String user, Integer limit,
                                          long ttlMillis) {
        return limit == null
                ? new Request(StoreCommand.INV_RESERVE, sku, qty, requestId, "USER", user, "TTL", ttlMillis, "DETAIL")
                : new Request(StoreCommand.INV_RESERVE, sku, qty, requestId, "USER", user, "LIMIT", limit,
                        "TTL", ttlMillis, "DETAIL");
    }

    private static ReserveResult reserveResult(Object reply) {
        if (reply instanceof StoreRefusal refusal) {
            return new ReserveResult(false, -1, refusal, null);
        }
        Map<String, Object> detail = asMap(reply);
        return new ReserveResult(num(detail, "replayed") == 1, num(detail, "available"), null, toReservation(detail));
    }

    /**
     * What {@link #reserve} found.
     *
     * @param replay         the request id had reserved before this call (false when refused)
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
                new Request(command, requestId),
                new Request(StoreCommand.INV_RESERVATION, requestId));
        if (r[0] instanceof StoreRefusal refusal) {
            throw refusal;
        }
        return toReservation(r[1]);
    }

    /** {@code INV.RESERVATION reqId}, empty if unknown (or only ever refused). */
    public Optional<StoredReservation> reservation(String requestId) {
        return Optional.ofNullable(toReservation(call(StoreCommand.INV_RESERVATION, requestId)));
    }

    // ---- server ----------------------------------------------------------------------------

    /** {@code INFO section} as key -> value, e.g. {@code replication} (role, leader, commit index) or {@code persistence}. */
    public Map<String, String> info(String section) {
        String text = (String) call(StoreCommand.INFO, section);
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
        return (String) call(StoreCommand.PING, new Object[0]);
    }

    // ---- plumbing --------------------------------------------------------------------------

    /** One command; a refusal is thrown. */
    private Object call(StoreCommand command, Object... args) {
        Object reply = pipeline(command.toString(), new Request(command, args))[0];
        if (reply instanceof StoreRefusal refusal) {
            throw refusal;
        }
        return reply;
    }

    /**
     * Sends the requests back to back and waits for all of them, within one timeout. A refusal
     * comes back in its slot as a {@link StoreRefusal}; anything that means "no answer now"
     * throws {@link StoreUnavailableException}.
     */
    private Object[] pipeline(String name, Request... requests) {
        long start = permitted();
        Object[] replies;
        try {
            replies = transport.exchange(requests, start + timeout.toNanos());
        } catch (RuntimeException e) {
            throw failed(start, e);
        }
        return answered(name, start, replies);
    }

    /** {@link #pipeline} without waiting: the same answers and failures, completed on {@code continueOn}. */
    private CompletableFuture<Object[]> pipelineAsync(String name, Executor continueOn, Request... requests) {
        long start;
        CompletableFuture<Object[]> sent;
        try {
            start = permitted();
        } catch (StoreUnavailableException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            sent = transport.exchangeAsync(requests, start + timeout.toNanos(), continueOn);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failed(start, e));
        }
        return sent.handle((replies, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                throw failed(start, cause instanceof RuntimeException r ? r : new IllegalStateException(cause));
            }
            return answered(name, start, replies);
        });
    }

    /** Asks the breaker; the call's start time if it lets the call through. */
    private long permitted() {
        try {
            breaker.acquirePermission();
        } catch (CallNotPermittedException e) {
            throw new StoreUnavailableException("the store circuit breaker is open");
        }
        return System.nanoTime();
    }

    /** Replies in: refusals in their slots, the breaker and the round-trip timer told. */
    private Object[] answered(String name, long start, Object[] replies) {
        try {
            for (int i = 0; i < replies.length; i++) {
                if (replies[i] instanceof ErrorLine error) {
                    replies[i] = refusalOrFailure(error.text());
                }
            }
        } catch (RuntimeException e) {
            throw failed(start, e);
        }
        long took = System.nanoTime() - start;
        breaker.onResult(took, TimeUnit.NANOSECONDS, replies);
        roundTrips.computeIfAbsent(name, n -> Timer.builder("seckill.store.roundtrip")
                .description("one pipelined exchange with the counter-store")
                .tag("command", n).register(meters)).record(took, TimeUnit.NANOSECONDS);
        return replies;
    }

    /**
     * The exception a failed call ends with, the breaker told: "no answer now" counts against the
     * store; a bug on this side ({@link IllegalStateException}) does not.
     */
    private RuntimeException failed(long start, RuntimeException e) {
        if (e instanceof IllegalStateException) {
            breaker.releasePermission();
            return e;
        }
        breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
        return e instanceof StoreUnavailableException ? e
                : new StoreUnavailableException("the store call failed: " + e.getMessage(), e);
    }

    /** Business refusals are answers; the rest means the store cannot serve now, or a bug here. */
    private static StoreRefusal refusalOrFailure(String line) {
        String code = line.split("\\s+", 2)[0];
        return switch (code) {
            case "TRYAGAIN", "BACKLOG", "LOADING", "NOAUTH" ->
                    throw new StoreUnavailableException("the store cannot serve now: " + line);
            case "ERR", "WRONGTYPE", "" -> throw new IllegalStateException("the store refused a command: " + line);
            default -> new StoreRefusal(line);
        };
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
        transport.close();
    }
}
