package dev.seckill.service.admin;

import dev.seckill.service.sale.SaleRepository;
import dev.seckill.service.sale.SaleService;
import dev.seckill.service.sale.SaleView;
import dev.seckill.service.sync.InventorySyncRunner;
import dev.seckill.sync.SyncStatus;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dashboard's data, polled by the page once a second (admin token, see {@code AccessRules}).
 * One call answers everything the page shows, so the page never mixes readings of different
 * moments. Each part fails on its own: a store that does not answer leaves the sales without
 * stock and the store marked down, and the rest still shows.
 */
@RestController
@RequestMapping("/admin/api")
public class AdminApiController {

    private final DashboardSampler sampler;
    private final SaleService sales;
    private final SaleRepository saleRows;
    private final ObjectProvider<InventorySyncRunner> sync;
    private final ReconciliationPanel reconciliation;
    private final MeterRegistry registry;
    private final Clock clock;

    public AdminApiController(DashboardSampler sampler, SaleService sales, SaleRepository saleRows, ObjectProvider<InventorySyncRunner> sync,
                              ReconciliationPanel reconciliation, MeterRegistry registry,
                              Clock clock) {
        this.sampler = sampler;
        this.sales = sales;
        this.saleRows = saleRows;
        this.sync = sync;
        this.reconciliation = reconciliation;
        this.registry = registry;
        this.clock = clock;
    }

    @GetMapping("/overview")
    public Overview overview() {
        List<SaleView> saleList = null;
        String salesError = null;
        try {
            saleList = sales.list();
        } catch (RuntimeException e) {
            salesError = e.getMessage();
            saleList = salesWithoutStock();
        }
        StoreStatus store = sampler.store();
        return new Overview(clock.instant(), saleList, salesError, sampler.recentlyCreatedBySale(),
                DashboardSampler.SALE_RATE_SECONDS, sampler.orders(), sampler.rejects(), latency(), store,
                syncView(store), reconciliationView());
    }

    /** The sales as the database has them, when the store cannot give their stock. */
    private List<SaleView> salesWithoutStock() {
        try {
            Instant now = clock.instant();
            return saleRows.findAll(1000).stream()
                    .map(s -> new SaleView(s.id(), s.sku(), s.phaseAt(now), s.startsAt(), s.endsAt(), s.perUserLimit(),
                            s.reservationTtl(), s.units(), s.createdAt(), null))
                    .toList();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Runs a reconciliation (report only) and answers its result. */
    @PostMapping("/reconciliations")
    public ReconciliationPanel.Run reconcile() {
        return reconciliation.runNow();
    }

    private Latency latency() {
        PurchaseLatency.Reading r = PurchaseLatency.read(registry);
        Map<String, LatencyFigures> byOutcome = new TreeMap<>();
        r.byOutcome().forEach((outcome, o) -> byOutcome.put(outcome,
                new LatencyFigures(finite(o.p50Ms()), finite(o.p99Ms()), o.countSinceStart())));
        return new Latency(r.windowSeconds(), byOutcome);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private SyncView syncView(StoreStatus store) {
        InventorySyncRunner runner = sync.getIfAvailable();
        String waiting = store.feedBacklog() == null ? "" : "; " + store.feedBacklog() + " changes wait in the store's feed";
        if (runner == null) {
            return SyncView.notRunning("not running in this service (seckill.sync.enabled=false)" + waiting);
        }
        SyncStatus s = runner.status().orElse(null);
        if (s == null) {
            return SyncView.notRunning("not started: " + runner.notStartedBecause() + waiting);
        }
        boolean running = s.state() != SyncStatus.State.STOPPED;
        return new SyncView(running, s.state().name().toLowerCase(), s.lagMs(), s.lagChanges(), s.appliedSeq(),
                s.storeLastSeq(), s.lastError(), running ? null : "stopped" + waiting);
    }

    private ReconciliationView reconciliationView() {
        try {
            return new ReconciliationView(true, reconciliation.running(), reconciliation.last(), null);
        } catch (RuntimeException e) {
            return new ReconciliationView(false, false, null, "the database does not answer: " + e.getMessage());
        }
    }

    /**
     * Everything the page shows, read now (the sampler's figures are at most a second old).
     * {@code createdBySale}: orders created per sale id over the last {@code createdBySaleSeconds}.
     */
    public record Overview(Instant serverTime, List<SaleView> sales, String salesError,
                           Map<String, Long> createdBySale, int createdBySaleSeconds, CounterRates.Window orders,
                           CounterRates.Window rejects, Latency latency, StoreStatus store, SyncView sync,
                           ReconciliationView reconciliation) {
    }

    public record Latency(long windowSeconds, Map<String, LatencyFigures> byOutcome) {
    }

    public record LatencyFigures(Double p50Ms, Double p99Ms, long countSinceStart) {
    }

    /**
     * @param running        the sync loop runs in this service
     * @param state          running, retrying, circuit_open, stopped
     * @param lagMs          how long the oldest change the database lacks has waited
     * @param pendingChanges store sequence numbers not yet in the database
     * @param detail         why it does not run
     */
    public record SyncView(boolean running, String state, Long lagMs, Long pendingChanges, Long appliedSeq,
                           Long storeLastSeq, String error, String detail) {
        static SyncView notRunning(String detail) {
            return new SyncView(false, null, null, null, null, null, null, detail);
        }
    }

    /**
     * @param available a reconciliation can run here (the database answers)
     * @param running   one runs right now
     * @param last      the newest recorded run, null if none
     */
    public record ReconciliationView(boolean available, boolean running, ReconciliationPanel.Run last,
                                     String message) {
    }
}
