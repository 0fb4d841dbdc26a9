package dev.seckill.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sync holds its writes back while buyers are arriving, for a bounded time, and loses nothing:
 * a real store, H2 as the RDS.
 */
class YieldToBuyersTest {
    @TempDir
    Path dir;

    @Test
    void whileBuyersArriveTheWritesWaitAtMostTheYieldThenAllArrive() throws Exception {
        AtomicBoolean busy = new AtomicBoolean(false);
        Duration atMost = Duration.ofSeconds(3);
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2); TestStore store = TestStore.start(dir)) {
            SaleRun sales = new SaleRun(store, 3, "yield", 2, 1000);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SyncSettings settings = SyncSettings.of(store.uri()).withIdlePoll(Duration.ofMillis(2))
                    .withYieldTo(new SyncSettings.YieldToBuyers(busy::get, atMost));
            try (InventorySync sync = InventorySync.start(settings, db.dataSource(), registry)) {
                // nobody buying: written as soon as polled
                sales.run(50);
                store.awaitCaughtUp(sync);
                long before = RdsAgreement.checkpoint(db.dataSource(), "shard-0");

                busy.set(true);
                long busySince = System.nanoTime();
                sales.run(200);
                Thread.sleep(300);
                assertThat(RdsAgreement.checkpoint(db.dataSource(), "shard-0"))
                        .as("nothing written while buyers arrive, within the yield")
                        .isEqualTo(before);

                // still busy, but the yield is bounded: everything arrives, and agrees with the store
                store.awaitCaughtUp(sync);
                assertThat(Duration.ofNanos(System.nanoTime() - busySince)).isGreaterThan(atMost.minusMillis(500));
                Thread.sleep(700);
                store.awaitCaughtUp(sync);
                assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();
                assertThat(registry.get("inventory.sync.yielded").counter().count()).isGreaterThan(2.0);

                // buyers gone: written promptly again
                busy.set(false);
                sales.run(50);
                long quietSince = System.nanoTime();
                store.awaitCaughtUp(sync);
                assertThat(Duration.ofNanos(System.nanoTime() - quietSince)).isLessThan(atMost);
                Thread.sleep(700); // the short reservations of the run expire, and that is written too
                store.awaitCaughtUp(sync);
                assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();
            }
        }
    }

    @Test
    void whilePurchasesArriveTheSyncWritesInSmallBatchesAndPausesToKeepToItsShare() throws Exception {
        AtomicBoolean serving = new AtomicBoolean(false);
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2); TestStore store = TestStore.start(dir)) {
            SaleRun sales = new SaleRun(store, 5, "share", 3, 100_000);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SyncSettings settings = SyncSettings.of(store.uri()).withIdlePoll(Duration.ofMillis(2))
                    .withYieldTo(new SyncSettings.YieldToBuyers(() -> false, Duration.ofMillis(1), serving::get, 0.2));
            sales.run(3000); // a backlog before the sync starts, as after a rush
            serving.set(true);
            try (InventorySync sync = InventorySync.start(settings, db.dataSource(), registry)) {
                store.awaitCaughtUp(sync);
                assertThat(registry.get("inventory.sync.batch.rows").summary().max())
                        .as("rows per batch while serving").isLessThanOrEqualTo(SyncSettings.YieldToBuyers.PACED_BATCH_ROWS);
                assertThat(registry.get("inventory.sync.batch.rows").summary().count()).isGreaterThan(1);
                assertThat(registry.get("inventory.sync.yielded").counter().count()).as("seconds paused").isGreaterThan(0.0);

                // no purchases (no pause: theShareIsTheSyncsPartOfItsTime): all of it agrees
                serving.set(false);
                sales.run(3000);
                store.awaitCaughtUp(sync);
                Thread.sleep(700); // the short reservations of the run expire, and that is written too
                store.awaitCaughtUp(sync);
                assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();
            }
        }
    }

    @Test
    void theShareIsTheSyncsPartOfItsTime() {
        SyncSettings.YieldToBuyers quarter = new SyncSettings.YieldToBuyers(() -> false, Duration.ofSeconds(1), () -> true, 0.25);
        assertThat(quarter.pauseAfter(10_000_000)).as("10 ms of work, then 30 ms of pause").isEqualTo(30_000_000);
        SyncSettings.YieldToBuyers idle = new SyncSettings.YieldToBuyers(() -> false, Duration.ofSeconds(1), () -> false, 0.25);
        assertThat(idle.pauseAfter(10_000_000)).as("no purchases arriving: no pause").isZero();
        assertThat(new SyncSettings.YieldToBuyers(() -> true, Duration.ofSeconds(1)).pauseAfter(10_000_000)).isZero();
        assertThatThrownBy(() -> new SyncSettings.YieldToBuyers(() -> false, Duration.ofSeconds(1), () -> true, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.01 to 1");
        assertThatThrownBy(() -> new SyncSettings.YieldToBuyers(() -> false, Duration.ofSeconds(1), () -> true, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aYieldOutsideOneMillisecondToAMinuteIsRefused() {
        assertThatThrownBy(() -> new SyncSettings.YieldToBuyers(() -> true, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 ms to 60 s");
        assertThatThrownBy(() -> new SyncSettings.YieldToBuyers(() -> true, Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyncSettings.YieldToBuyers(null, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
