package dev.seckill.service.admission;

import dev.seckill.service.sync.InventorySyncRunner;
import dev.seckill.sync.SyncStatus;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * After a restart, the orders of sales still on are read back from the RDS into
 * {@link AdmissionControl}'s memory of orders sent to the store, so that their replays pass the
 * sold-out flag and hear their first answer as before the restart. Until that is done the flag
 * does not refuse on its own: a purchase of a sold-out sale asks the store (the stock-aware gate
 * still bounds how many at once; the rest hear 429).
 * <p>
 * With the sync in this process it first waits (up to {@link #SYNC_WAIT}) until the sync has
 * caught up with the store, so the orders that were on their way to the RDS at the crash are
 * there too. With a separate sync, orders younger than its lag at the restart are not known.
 * <p>
 * Each time a sale's sold-out flag goes up it also reads that sale's orders, at once and again
 * {@link #SALE_RELOAD} later (the sync's lag): with several instances behind a load balancer, a
 * replay may reach another instance than its purchase did, and that instance must let it pass
 * the flag too. A replay that arrives before the RDS has its order still hears SOLD_OUT.
 */
@Component
@DependsOnDatabaseInitialization
public class PastOrdersLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PastOrdersLoader.class);
    static final Duration SYNC_WAIT = Duration.ofSeconds(60);
    /** A sold-out sale's orders are read again this much later, for those the sync had not written yet. */
    static final Duration SALE_RELOAD = Duration.ofSeconds(5);
    private static final int ATTEMPTS = 5;
    private static final String OPEN_SALES_ORDERS = "SELECT r.request_id FROM reservation r"
            + " JOIN sale s ON s.sale_id = r.sale_id WHERE s.status <> 'ended'";
    /**
     * Through the sale's SKU: reservation has no index on sale_id (a sale has one SKU, so the index
     * on (sku, status) serves it, rds-schema V5). {@code WHERE sale_id = ?} alone scanned every
     * order ever made, at every sell-out, in the middle of the rush (0.1-0.5 s of a core on H2 with
     * a few hundred thousand orders).
     */
    static final String SALE_ORDERS = "SELECT r.request_id FROM sale s"
            + " JOIN reservation r ON r.sku = s.sku AND r.sale_id = s.sale_id WHERE s.sale_id = ?";

    private final AdmissionControl admission;
    /** Reads order ids in rows of 10,000 (its own template: the application's shared one stays as it is). */
    private final JdbcTemplate streaming;
    /** The in-process sync, or null when a separate process syncs. */
    private final InventorySyncRunner sync;
    /** Reads sold-out sales' orders, one sale at a time, off the request threads. */
    private final ScheduledExecutorService saleReader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sale-orders-loader");
        t.setDaemon(true);
        return t;
    });

    public PastOrdersLoader(AdmissionControl admission, JdbcTemplate jdbc, ObjectProvider<InventorySyncRunner> sync) {
        this.admission = admission;
        this.streaming = new JdbcTemplate(jdbc.getDataSource());
        this.streaming.setFetchSize(10_000);
        this.sync = sync.getIfAvailable(); // here, on the thread that builds the context, not on the loader's
        admission.pastOrdersLoading(); // before the web server takes its first request
        admission.whenSoldOut(this::saleSoldOut);
        Thread t = new Thread(this::load, "past-orders-loader");
        t.setDaemon(true);
        t.start();
    }

    private void load() {
        try {
            waitForTheSync();
            for (int attempt = 1; ; attempt++) {
                try {
                    long start = System.nanoTime();
                    long count = remember(OPEN_SALES_ORDERS);
                    LOG.info("{} orders of sales still on read back from the RDS in {} ms: their replays pass"
                            + " the sold-out flag", count, (System.nanoTime() - start) / 1_000_000);
                    return;
                } catch (RuntimeException e) {
                    if (attempt == ATTEMPTS) {
                        LOG.warn("orders of sales still on could not be read back from the RDS ({}); a replay of an"
                                + " order made before the restart may hear SOLD_OUT", e.toString());
                        return;
                    }
                    Thread.sleep(1000L * attempt);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            admission.pastOrdersLoaded();
        }
    }

    /** The flag of {@code saleId} went up: its orders are read now and once more a little later. */
    void saleSoldOut(String saleId) {
        try {
            saleReader.execute(() -> loadSale(saleId));
            saleReader.schedule(() -> loadSale(saleId), SALE_RELOAD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // the service is stopping
        }
    }

    private void loadSale(String saleId) {
        try {
            long start = System.nanoTime();
            long count = remember(SALE_ORDERS, saleId);
            LOG.debug("sale {} sold out: {} of its orders read from the RDS in {} ms", saleId, count,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("the orders of sold-out sale {} could not be read from the RDS ({}); a replay of an order"
                    + " made through another instance may hear SOLD_OUT", saleId, e.toString());
        }
    }

    /** Streams the order ids {@code sql} selects into the admission's memory; how many there were. */
    private long remember(String sql, Object... args) {
        long[] count = {0};
        streaming.query(sql, rs -> {
            admission.rememberSentToStore(rs.getString(1));
            count[0]++;
        }, args);
        return count[0];
    }

    @PreDestroy
    void close() {
        saleReader.shutdownNow();
    }

    /** With the sync in this process: until its checkpoint reaches what the store had at the start. */
    private void waitForTheSync() throws InterruptedException {
        InventorySyncRunner runner = sync;
        if (runner == null) {
            return;
        }
        long deadline = System.nanoTime() + SYNC_WAIT.toNanos();
        long target = -1;
        while (System.nanoTime() < deadline) {
            Optional<SyncStatus> s = runner.status();
            if (s.isPresent() && s.get().storeLastSeq() >= 0) { // it has asked the store once
                if (target < 0) {
                    target = s.get().storeLastSeq();
                }
                if (s.get().appliedSeq() >= target) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        LOG.warn("the inventory sync did not catch up with the store within {} s; reading the orders the RDS has",
                SYNC_WAIT.toSeconds());
    }
}
