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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB);
             TcpProxy proxy = new TcpProxy(TestDatabase.MARIADB_HOST, TestDatabase.MARIADB_PORT);
             HikariDataSource viaProxy = TestDatabase.pool(db.urlVia(proxy.port()), 500);
             TestStore store = TestStore.start(dir)) {
            SaleRun sales = new SaleRun(store, 11, "outage", 5, 1000);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SyncSettings settings = SyncSettings.of(store.uri()).withBatchSize(200).withMaxBackoff(Duration.ofMillis(500));
            AtomicBoolean selling = new AtomicBoolean(true);
            Thread seller = new Thread(() -> {
                while (selling.get()) {
                    sales.step();
                    sleepQuietly(1);
                }
            });
            try (InventorySync sync = InventorySync.start(settings, viaProxy, registry)) {
                seller.start();
                Thread.sleep(800);
                await().atMost(Duration.ofSeconds(20)).until(() -> sync.status().batches() > 0);

                proxy.cut();
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

                proxy.restore();
                Thread.sleep(500);
                selling.set(false);
                seller.join();
                Thread.sleep(700); // short TTLs run out
                store.awaitCaughtUp(sync);
                assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();
                assertThat(sync.status().state()).isEqualTo(SyncStatus.State.RUNNING);
                assertThat(registry.get("inventory.sync.failures").tag("stage", "database").counter().count()).isPositive();
            } finally {
                selling.set(false);
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
