package dev.seckill.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/**
 * An idle shard is polled less and less often (every poll is a Raft log entry), and the first
 * change after the quiet is still written within the longest pause: a real store, H2 as the RDS.
 */
class IdlePollTest {
    @TempDir
    Path dir;

    @Test
    void anEmptyFeedIsPolledLessOftenAndAChangeAfterTheQuietStillArrivesPromptly() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2); TestStore store = TestStore.start(dir)) {
            SaleRun sales = new SaleRun(store, 2, "idle", 2, 600_000);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SyncSettings settings = SyncSettings.of(store.uri()).withIdlePoll(Duration.ofMillis(10))
                    .withIdlePollMax(Duration.ofMillis(200));
            try (InventorySync sync = InventorySync.start(settings, db.dataSource(), registry)) {
                sales.run(20);
                store.awaitCaughtUp(sync);
                // the run's short reservations have expired and been written, and the pause has
                // grown to its longest since (10, 20, ... 200 ms)
                Thread.sleep(1500);

                double before = polls(registry);
                Thread.sleep(2000);
                double quiet = polls(registry) - before;
                // at the first pause it would be 200 polls; at the longest, 10
                assertThat(quiet).as("polls of an idle feed in 2 s").isBetween(5.0, 16.0);

                sales.run(20);
                long changedAt = System.nanoTime();
                store.awaitCaughtUp(sync);
                assertThat(Duration.ofNanos(System.nanoTime() - changedAt))
                        .as("the first change after the quiet waits at most the longest pause (plus the write)")
                        .isLessThan(Duration.ofMillis(1500));
                assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();

                // right after rows, polls are quick again: a burst of polls while the pause regrows
                double afterRows = polls(registry);
                Thread.sleep(300);
                assertThat(polls(registry) - afterRows).as("polls in the 300 ms after rows").isGreaterThanOrEqualTo(3.0);
            }
        }
    }

    @Test
    void theLongestPauseMayNotBeShorterThanTheFirst() {
        SyncSettings settings = SyncSettings.of("redis://127.0.0.1:6380");
        assertThat(settings.idlePoll()).isEqualTo(Duration.ofMillis(20));
        assertThat(settings.idlePollMax()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.withIdlePoll(Duration.ofSeconds(1)).idlePollMax())
                .as("a first pause beyond the longest raises the longest").isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> settings.withIdlePollMax(Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be shorter");
    }

    private static double polls(SimpleMeterRegistry registry) {
        return registry.get("inventory.sync.poll").timer().count();
    }
}
