package dev.seckill.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The database is cut off (a TCP proxy drops every connection and refuses new ones) in the middle
 * of a sale: sales go on, the sync retries, and after recovery the backlog drains with nothing lost
 * or doubled.
 */
class DatabaseOutageTest {
    @TempDir
    Path dir;

    @Test
    void salesGoOnDuringAnOutageAndTheBacklogDrainsAfterIt() throws Exception {
        try (Rig rig = Rig.start(dir)) {
            SaleRun sales = new SaleRun(rig.store(), 11, "outage", 5, 1000);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SyncSettings settings = SyncSettings.of(rig.store().uri()).withBatchSize(200).withMaxBackoff(Duration.ofMillis(500));
            AtomicBoolean selling = new AtomicBoolean(true);
            Thread seller = seller(sales, selling);
            try (InventorySync sync = InventorySync.start(settings, rig.viaProxy(), registry)) {
                seller.start();
                Thread.sleep(800);
                await().atMost(Duration.ofSeconds(20)).until(() -> sync.status().batches() > 0);

                rig.proxy().cut();
                int soldBefore = sales.accepted().size();
                Set<SyncStatus.State> seen = ConcurrentHashMap.newKeySet();
                long until = System.currentTimeMillis() + 3000;
                while (System.currentTimeMillis() < until) {
                    seen.add(sync.status().state());
                    Thread.sleep(20);
                }
                SyncStatus during = sync.status();
                assertThat(sales.accepted().size()).as("sales went on during the outage").isGreaterThan(soldBefore + 100);
                assertThat(seen).as("the sync noticed").containsAnyElementsOf(EnumSet.of(SyncStatus.State.RETRYING, SyncStatus.State.CIRCUIT_OPEN));
                assertThat(during.lagChanges()).as("a backlog built up").isPositive();
                assertThat(during.lastError()).isNotBlank();

                rig.proxy().restore();
                Thread.sleep(500);
                selling.set(false);
                seller.join();
                Thread.sleep(700); // short TTLs run out
                rig.store().awaitCaughtUp(sync);
                assertThat(RdsAgreement.differences(rig.store().client(), rig.db().dataSource(), sales.accepted())).isEmpty();
                assertThat(sync.status().state()).isEqualTo(SyncStatus.State.RUNNING);
                assertThat(registry.get("inventory.sync.failures").tag("stage", "database").counter().count()).isPositive();
            } finally {
                selling.set(false);
            }
        }
    }

    /**
     * With small batches every batch is full, so the sync always has the next INV.CHANGES on its
     * way while it writes: the store must still never hear an INV.ACK beyond what the database
     * committed, across outages that fail writes with a batch fetched ahead.
     */
    @Test
    void theStoreIsNeverAcknowledgedBeyondTheCommittedCheckpointWhileBatchesAreFetchedAhead() throws Exception {
        try (Rig rig = Rig.start(dir)) {
            SaleRun sales = new SaleRun(rig.store(), 12, "ahead", 3, 100_000);
            sales.run(1500); // a backlog: the first batches are all full
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SyncSettings settings = SyncSettings.of(rig.store().uri()).withBatchSize(25).withMaxBackoff(Duration.ofMillis(300));
            AtomicBoolean selling = new AtomicBoolean(true);
            Thread seller = seller(sales, selling);
            List<String> violations = new CopyOnWriteArrayList<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = new Thread(() -> {
                while (watching.get()) {
                    try {
                        long acked = rig.store().client().changes(Long.MAX_VALUE - 1, 1).ackedSeq(); // read first:
                        long committed = RdsAgreement.checkpoint(rig.db().dataSource(), "shard-0");  // it only grows
                        if (acked > committed) {
                            violations.add("acknowledged " + acked + " with the checkpoint at " + committed);
                        }
                    } catch (Exception e) {
                        violations.add("watcher: " + e);
                    }
                }
            });
            try (InventorySync sync = InventorySync.start(settings, rig.viaProxy(), registry)) {
                seller.start();
                watcher.start();
                for (int outage = 0; outage < 3; outage++) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> sync.status().state() == SyncStatus.State.RUNNING
                            && sync.status().batches() > 0);
                    Thread.sleep(300);
                    rig.proxy().cut();
                    Thread.sleep(700);
                    rig.proxy().restore();
                }
                selling.set(false);
                seller.join();
                rig.store().awaitCaughtUp(sync);
                watching.set(false);
                watcher.join();
                assertThat(violations).isEmpty();
                assertThat(registry.get("inventory.sync.batch.rows").summary().max()).as("full batches").isEqualTo(25);
                assertThat(RdsAgreement.differences(rig.store().client(), rig.db().dataSource(), sales.accepted())).isEmpty();
            } finally {
                selling.set(false);
                watching.set(false);
            }
        }
    }

    /** MariaDB behind a TCP proxy that can cut it off, and a store. */
    private record Rig(TestDatabase db, TcpProxy proxy, HikariDataSource viaProxy, TestStore store) implements AutoCloseable {
        static Rig start(Path dir) throws Exception {
            TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB);
            TcpProxy proxy = new TcpProxy(TestDatabase.MARIADB_HOST, TestDatabase.MARIADB_PORT);
            return new Rig(db, proxy, TestDatabase.pool(db.urlVia(proxy.port()), 500), TestStore.start(dir));
        }

        @Override
        public void close() throws Exception {
            try (db; proxy; viaProxy; store) {
                // closed in reverse order: store, pool, proxy, database
            }
        }
    }

    /** A thread that runs the sale's random operations until {@code selling} turns false. */
    private static Thread seller(SaleRun sales, AtomicBoolean selling) {
        return new Thread(() -> {
            while (selling.get()) {
                sales.step();
                sleepQuietly(1);
            }
        });
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
