package dev.seckill.service.sync;

import dev.seckill.sync.InventorySync;
import dev.seckill.sync.SyncSettings;
import dev.seckill.sync.SyncStatus;
import dev.seckill.sync.feed.StoreNodes;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The in-process inventory sync, started as soon as the store answers: an external store that
 * is down when the service starts only delays the sync (retried every few seconds), it does not
 * stop the service from starting. The store keeps every change until the sync acknowledges it,
 * so nothing is lost meanwhile.
 */
public final class InventorySyncRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InventorySyncRunner.class);
    private static final long RETRY_SECONDS = 3;

    private final SyncSettings settings;
    private final DataSource dataSource;
    private final MeterRegistry meters;
    private final ScheduledExecutorService starter;
    private volatile InventorySync sync;
    private volatile String notStartedBecause = "starting";
    private volatile boolean closed;

    InventorySyncRunner(SyncSettings settings, DataSource dataSource, MeterRegistry meters) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.meters = meters;
        this.starter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "inventory-sync-starter");
            t.setDaemon(true);
            return t;
        });
        tryStart();
    }

    private synchronized void tryStart() {
        if (closed || sync != null) {
            return;
        }
        try {
            sync = InventorySync.start(settings, dataSource, meters);
            notStartedBecause = null;
            LOG.info("inventory sync of {} running: {} (node {}) -> the RDS", settings.shard(),
                    StoreNodes.describe(StoreNodes.parse(settings.storeUri())), sync.status().storeNode());
        } catch (RuntimeException e) {
            notStartedBecause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("inventory sync not started ({}); trying again in {} s", notStartedBecause, RETRY_SECONDS);
            starter.schedule(this::tryStart, RETRY_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Where the sync stands, or empty while it has not started yet. */
    public Optional<SyncStatus> status() {
        InventorySync s = sync;
        return s == null ? Optional.empty() : Optional.of(s.status());
    }

    /** Why the sync has not started, or null once it runs. */
    public String notStartedBecause() {
        return notStartedBecause;
    }

    /** Stops the sync: the batch in hand is finished (or safely abandoned). */
    @Override
    public synchronized void close() {
        closed = true;
        starter.shutdownNow();
        if (sync != null) {
            sync.close();
            LOG.info("inventory sync of {} stopped; the RDS has the store's changes up to {}", settings.shard(),
                    sync.status().appliedSeq());
        }
    }
}
