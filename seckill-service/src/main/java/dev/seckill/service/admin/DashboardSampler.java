package dev.seckill.service.admin;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reads, once a second, what the dashboard shows over time: orders by outcome and admission
 * rejects by reason (as per-second increments over the last {@link #WINDOW_SECONDS}), and the
 * store's status. The page polls the latest readings, so ten open dashboards cost the store one
 * {@code INFO} a second, not ten.
 *
 * <p>Two threads: the counters are read on one (never blocks), the store on the other (may wait
 * for a store that does not answer, which must not leave holes in the chart).
 */
public final class DashboardSampler implements AutoCloseable {

    public static final int WINDOW_SECONDS = 300;
    public static final String ORDERS = "seckill.orders";
    /** Per sale only the recent rate is kept: a few seconds times the number of sales. */
    public static final int SALE_RATE_SECONDS = 5;
    public static final String REJECTS = "seckill.admission.rejects";
    /** The outcomes of a purchase, as the service tags {@link #ORDERS}; the chart legend's order. */
    public static final List<String> OUTCOMES = List.of("created", "replayed", "sold_out", "insufficient_stock",
            "purchase_limit", "sale_not_active", "throttled", "unavailable", "invalid");

    private static final Logger log = LoggerFactory.getLogger(DashboardSampler.class);

    private final Clock clock;
    private final CounterRates orders;
    private final CounterRates rejects;
    private final CounterRates createdBySale;
    private final Supplier<Map<String, String>> storeInfo;
    private final Supplier<String> storeNode;
    private final ScheduledExecutorService threads;
    private volatile StoreStatus store;

    /**
     * @param storeInfo reads the store's {@code INFO} as key/value (throws when the store does not answer)
     * @param storeNode the node that answered it last, {@code redis://host:port}
     */
    public DashboardSampler(MeterRegistry registry, Supplier<Map<String, String>> storeInfo, Supplier<String> storeNode) {
        this.clock = registry.config().clock();
        this.orders = new CounterRates(registry, ORDERS, "outcome", WINDOW_SECONDS, OUTCOMES);
        this.rejects = new CounterRates(registry, REJECTS, "reason", WINDOW_SECONDS, List.of());
        this.createdBySale = new CounterRates(registry, ORDERS, "sale", SALE_RATE_SECONDS, List.of(),
                Tag.of("outcome", "created"));
        this.storeInfo = storeInfo;
        this.storeNode = storeNode;
        this.store = StoreStatus.down("not read yet", storeNode.get(), Instant.ofEpochMilli(clock.wallTime()));
        this.threads = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "dashboard-sampler");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts sampling, just after each turn of the wall-clock second. */
    public void start() {
        long now = clock.wallTime();
        long firstDelay = 1000 - now % 1000 + 20;
        sampleCounters();
        threads.scheduleAtFixedRate(this::sampleCounters, firstDelay, 1000, TimeUnit.MILLISECONDS);
        threads.scheduleWithFixedDelay(this::readStore, 0, 1000, TimeUnit.MILLISECONDS);
    }

    /** One round of counter sampling, for the second that just ended. */
    void sampleCounters() {
        try {
            long second = clock.wallTime() / 1000;
            orders.sample(second);
            rejects.sample(second);
            createdBySale.sample(second);
        } catch (RuntimeException e) {
            log.warn("dashboard: reading the counters failed", e); // and keep sampling
        }
    }

    void readStore() {
        Instant now = Instant.ofEpochMilli(clock.wallTime());
        try {
            Map<String, String> info = storeInfo.get();
            store = StoreStatus.fromInfo(info, storeNode.get(), now);
        } catch (RuntimeException e) {
            store = StoreStatus.down(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
                    storeNode.get(), now);
        }
    }

    public CounterRates.Window orders() {
        return orders.window();
    }

    public CounterRates.Window rejects() {
        return rejects.window();
    }

    /** Orders created per sale over the last {@link #SALE_RATE_SECONDS} recorded seconds. */
    public Map<String, Long> recentlyCreatedBySale() {
        return createdBySale.lastSeconds(SALE_RATE_SECONDS);
    }

    public StoreStatus store() {
        return store;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
