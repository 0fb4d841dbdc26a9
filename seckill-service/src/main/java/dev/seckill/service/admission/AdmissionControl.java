package dev.seckill.service.admission;

import dev.seckill.service.api.ApiException;
import dev.seckill.service.store.StoreGateway;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;

/**
 * Decides, before the store is asked, whether a purchase may try: so a spike of a hundred times
 * the stock costs the store almost nothing, and every refusal here is fast (never a timeout).
 * In order, cheapest first:
 * <ol>
 *   <li>the sold-out flag: 409 SOLD_OUT without a store round trip (one request polls the store
 *       now and then, since expiries return units without telling anyone);</li>
 *   <li>global rate limit, then per-user rate limit: 429 THROTTLED;</li>
 *   <li>the circuit breaker towards the store: open answers 503 UNAVAILABLE;</li>
 *   <li>the stock-aware gate: no more buyers in flight than a small multiple of the units the
 *       store last said were available: 429 THROTTLED;</li>
 *   <li>the bulkhead: a bounded number of purchases waiting on the store: 503 UNAVAILABLE.</li>
 * </ol>
 * Rejections are counted in {@code seckill.admission.rejects} by reason.
 */
@Component
public class AdmissionControl {
    /** Two generations of Bloom filters of this many ids: 10 MB in all. */
    private static final int REMEMBERED_ORDERS = 4_000_000;
    /** Buyers count as arriving until this long after the last purchase let through. */
    private static final long BUYERS_GONE_AFTER_NANOS = Duration.ofMillis(50).toNanos();

    private final AdmissionSettings settings;
    private final StoreGateway store;
    private final Clock clock;
    private final MeterRegistry meters;
    private final RateLimiter globalRate;
    private final UserRateLimiter userRate;
    private final Bulkhead bulkhead;
    private final Map<String, SaleGate> gates = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejects = new ConcurrentHashMap<>();
    /** Orders this instance let through lately: their replays pass the sold-out flag. */
    private final OrdersSentToStore sentToStore = new OrdersSentToStore(REMEMBERED_ORDERS);
    /** False while {@link PastOrdersLoader} reads the orders made before a restart back. */
    private volatile boolean pastOrdersKnown = true;
    /** Hears each sale whose sold-out flag goes up; null: nobody. */
    private volatile Consumer<String> soldOutListener;
    /** When a purchase was last let through to the store ({@link System#nanoTime()}). */
    private volatile long lastLetThroughNanos = System.nanoTime() - BUYERS_GONE_AFTER_NANOS;

    public AdmissionControl(AdmissionSettings settings, StoreGateway store, Clock clock, MeterRegistry meters) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.meters = meters;
        // refilled every 10 ms, so a second's allowance does not arrive as one burst
        RateLimiterRegistry limiters = RateLimiterRegistry.ofDefaults();
        BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
        TaggedRateLimiterMetrics.ofRateLimiterRegistry(limiters).bindTo(meters);
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
        this.globalRate = limiters.rateLimiter("purchases", RateLimiterConfig.custom()
                .limitRefreshPeriod(Duration.ofMillis(10))
                .limitForPeriod(Math.max(1, settings.globalRate() / 100))
                .timeoutDuration(Duration.ZERO)
                .build());
        this.userRate = new UserRateLimiter(settings.userRate());
        this.bulkhead = bulkheads.bulkhead("store", BulkheadConfig.custom()
                .maxConcurrentCalls(settings.maxStoreCalls())
                .maxWaitDuration(Duration.ZERO)
                .build());
    }

    /** A purchase let through; {@link #release} it once the store answered (or failed). */
    public static final class Ticket {
        private final SaleGate gate;
        private boolean released;

        private Ticket(SaleGate gate) {
            this.gate = gate;
        }
    }

    /**
     * Lets a purchase of {@code saleId} by {@code userId} try the store, or throws the fast
     * refusal (429 THROTTLED, 409 SOLD_OUT, 503 UNAVAILABLE).
     *
     * @param orderId the order this purchase would create; once let through, its replays pass the
     *                sold-out flag (the store answers them with its first answer)
     */
    public Ticket admit(String saleId, String sku, String userId, String orderId) {
        // sold out first: it is the answer of nearly every request in a spike, and the cheapest;
        // the rate limiters then only count buyers who may still get a unit
        SaleGate gate = gate(saleId);
        if (gate.soldOut.get() && pastOrdersKnown && !sentToStore.contains(orderId)) {
            pollStockIfDue(gate, sku);
            throw reject("sold_out", new ApiException(HttpStatus.CONFLICT, "SOLD_OUT", "sale " + saleId + " is sold out"));
        }
        if (!globalRate.acquirePermission()) {
            throw reject("global_rate", throttled("the service takes no more purchases this instant"));
        }
        if (!userRate.tryAcquire(userId, clock.millis())) {
            throw reject("user_rate", throttled("too many purchases by user " + userId + " this second"));
        }
        if (store.circuitBreaker().getState() == CircuitBreaker.State.OPEN) {
            throw reject("circuit_open", unavailable("the store is failing; the circuit breaker is open"));
        }
        long known = gate.knownAvailable;
        long allowed = Math.max(settings.minInFlight(), known >= Long.MAX_VALUE / settings.inFlightPerUnit()
                ? Long.MAX_VALUE : known * settings.inFlightPerUnit());
        if (gate.inFlight.incrementAndGet() > allowed) {
            gate.inFlight.decrementAndGet();
            throw reject("stock_gate", throttled("more buyers are in flight than units remain; try again"));
        }
        if (!bulkhead.tryAcquirePermission()) {
            gate.inFlight.decrementAndGet();
            throw reject("bulkhead", unavailable("too many purchases wait on the store"));
        }
        sentToStore.add(orderId);
        lastLetThroughNanos = System.nanoTime();
        return new Ticket(gate);
    }

    /**
     * True while purchases are being let through to the store (one in the last 50 ms): the
     * in-process sync holds its database writes back meanwhile. Sold-out answers do not count.
     */
    public boolean buyersArriving() {
        return System.nanoTime() - lastLetThroughNanos < BUYERS_GONE_AFTER_NANOS;
    }

    /** From now until {@link #pastOrdersLoaded}, the sold-out flag lets purchases ask the store. */
    void pastOrdersLoading() {
        pastOrdersKnown = false;
    }

    /** An order sent to the store before this instance started (its replays pass the flag). */
    void rememberSentToStore(String orderId) {
        sentToStore.add(orderId);
    }

    /** The orders made before the restart are remembered (or could not be): the flag refuses again. */
    void pastOrdersLoaded() {
        pastOrdersKnown = true;
    }

    /** False while the orders made before a restart are being read back (the flag does not refuse). */
    public boolean pastOrdersKnown() {
        return pastOrdersKnown;
    }

    /** Frees what {@link #admit} took; safe to call twice. */
    public void release(Ticket ticket) {
        if (ticket != null && !ticket.released) {
            ticket.released = true;
            ticket.gate.inFlight.decrementAndGet();
            bulkhead.onComplete();
        }
    }

    /** The store reserved: {@code available} units remain. */
    public void reserved(String saleId, long available) {
        gate(saleId).knownAvailable = available;
    }

    /** The store answered SOLDOUT. */
    public void soldOut(String saleId) {
        SaleGate gate = gate(saleId);
        gate.knownAvailable = 0;
        gate.nextPollAt.set(clock.millis() + settings.soldOutPoll().toMillis());
        raiseSoldOut(saleId, gate);
    }

    /** Sets the flag; on the change from unset, tells the listener (which learns the sale's past orders). */
    private void raiseSoldOut(String saleId, SaleGate gate) {
        if (!gate.soldOut.getAndSet(true)) {
            Consumer<String> listener = soldOutListener;
            if (listener != null) {
                listener.accept(saleId);
            }
        }
    }

    /**
     * {@code listener} hears each sale whose flag goes up (on the thread that learnt it; it must not
     * block): {@link PastOrdersLoader} then reads the sale's orders from the RDS, so that replays of
     * orders other instances sent to the store pass the flag too.
     */
    void whenSoldOut(Consumer<String> listener) {
        this.soldOutListener = listener;
    }

    /** The store answered INSUFFICIENT: only {@code available} units remain. */
    public void insufficient(String saleId, long available) {
        gate(saleId).knownAvailable = available;
    }

    /** A restock left {@code available} units. */
    public void stockChanged(String saleId, long available) {
        SaleGate gate = gate(saleId);
        gate.knownAvailable = available;
        if (available == 0) {
            raiseSoldOut(saleId, gate);
        } else {
            gate.soldOut.set(false);
        }
    }

    /** A cancel returned units to the sale. */
    public void unitsReturned(String saleId) {
        SaleGate gate = gate(saleId);
        gate.knownAvailable = Long.MAX_VALUE; // unknown: the next answer tells
        gate.soldOut.set(false);
    }

    /** True if the sale is believed sold out (for the dashboard). */
    public boolean believedSoldOut(String saleId) {
        SaleGate g = gates.get(saleId);
        return g != null && g.soldOut.get();
    }

    /**
     * While sold out, one request per poll interval has the store asked, without waiting for the
     * answer (admission never blocks: the purchase front door runs it on its event loop); if units
     * came back (expired or cancelled reservations, a restock through another instance), the
     * answer clears the flag and the requests after it go on. This one is refused meanwhile.
     */
    private void pollStockIfDue(SaleGate gate, String sku) {
        long now = clock.millis();
        long due = gate.nextPollAt.get();
        if (now < due || !gate.nextPollAt.compareAndSet(due, now + settings.soldOutPoll().toMillis())) {
            return;
        }
        store.stockAsync(sku, ForkJoinPool.commonPool()).thenAccept(stock -> {
            if (stock.isPresent() && stock.get().available() > 0) {
                gate.knownAvailable = stock.get().available();
                gate.soldOut.set(false);
            }
        }); // a failure leaves it believed sold out; the next poll asks again
    }

    private SaleGate gate(String saleId) {
        return gates.computeIfAbsent(saleId, id -> new SaleGate());
    }

    private ApiException reject(String reason, ApiException answer) {
        rejects.computeIfAbsent(reason, r -> Counter.builder("seckill.admission.rejects")
                .description("purchases turned away before the store").tag("reason", r).register(meters)).increment();
        return answer;
    }

    private ApiException throttled(String detail) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "THROTTLED", detail, retryAfterSeconds(), Map.of());
    }

    private ApiException unavailable(String detail) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE", detail, retryAfterSeconds(), Map.of());
    }

    private long retryAfterSeconds() {
        return Math.max(1, settings.retryAfter().toSeconds());
    }
}
