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
    void aYieldOutsideOneMillisecondToAMinuteIsRefused() {
        assertThatThrownBy(() -> new SyncSettings.YieldToBuyers(() -> true, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 ms to 60 s");
        assertThatThrownBy(() -> new SyncSettings.YieldToBuyers(() -> true, Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyncSettings.YieldToBuyers(null, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
