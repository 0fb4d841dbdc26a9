package dev.seckill.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seckill.sync.reconcile.ReconcileOptions;
import dev.seckill.sync.reconcile.Reconciler;
import dev.seckill.sync.reconcile.ReconciliationReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** Sales through a real store while the sync runs end with the RDS equal to the store, row by row (invariant 5). */
class SyncConsistencyTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void manySalesConfirmsCancelsAndExpiriesEndWithTheRdsEqualToTheStore(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind); TestStore store = TestStore.start(dir)) {
            SaleRun sales = new SaleRun(store, 42, "mix", 6, 300);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (InventorySync sync = InventorySync.start(SyncSettings.of(store.uri()).withBatchSize(250), db.dataSource(), registry)) {
                sales.run(2500);
                Thread.sleep(700); // the short TTLs run out; the store expires them on its own
                store.awaitCaughtUp(sync);

                assertThat(sales.accepted()).hasSizeGreaterThan(800);
                assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();
                for (String state : new String[] {"reserved", "confirmed", "cancelled", "expired"}) {
                    assertThat(RdsAgreement.count(db.dataSource(), "SELECT COUNT(*) FROM reservation WHERE status = '" + state + "'"))
                            .as("reservations %s in the RDS", state).isPositive();
                }
                // rds-schema V5: line rows only for reservations of several lines, one per line
                assertThat(RdsAgreement.count(db.dataSource(), "SELECT COUNT(*) FROM reservation WHERE line_count > 1"))
                        .as("multi-line reservations in the run").isPositive();
                assertThat(RdsAgreement.count(db.dataSource(), "SELECT COUNT(*) FROM reservation_multi_line"))
                        .isEqualTo(RdsAgreement.count(db.dataSource(), "SELECT COALESCE(SUM(line_count), 0) FROM reservation WHERE line_count > 1"));
                SyncStatus status = sync.status();
                assertThat(status.state()).isEqualTo(SyncStatus.State.RUNNING);
                assertThat(status.appliedSeq()).isEqualTo(RdsAgreement.checkpoint(db.dataSource(), "shard-0"));
                assertThat(status.lastError()).isNull();
                assertThat(store.client().changes(status.appliedSeq(), 1).ackedSeq())
                        .as("everything written was acknowledged").isEqualTo(status.appliedSeq());
                assertThat(registry.get("inventory.sync.statements").counter().count()).isPositive();
                assertThat(registry.get("inventory.sync.batch.rows").summary().count()).isPositive();
                assertThat(registry.get("inventory.sync.lag.changes").gauge().value()).isZero();

                ReconciliationReport report = new Reconciler(store.client(), db.dataSource(), "shard-0").run(ReconcileOptions.all());
                assertThat(report.differences()).isEmpty();
                assertThat(report.result()).isEqualTo("consistent");
                assertThat(report.reservationsChecked()).isEqualTo(sales.accepted().size());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aStoreWithAPasswordIsReachedThroughTheUri() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.H2); TestStore store = TestStore.start(dir, "s3cret")) {
            assertThat(store.uri()).startsWith("redis://:s3cret@");
            SaleRun sales = new SaleRun(store, 1, "auth", 2, 50);
            try (InventorySync sync = InventorySync.start(SyncSettings.of(store.uri()), db.dataSource(), new SimpleMeterRegistry())) {
                sales.run(100);
                Thread.sleep(700);
                store.awaitCaughtUp(sync);
                assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void twoSyncsOnOneShardAtOnceCorruptNothing(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind); TestStore store = TestStore.start(dir)) {
            SaleRun sales = new SaleRun(store, 7, "two", 4, 300);
            SyncSettings settings = SyncSettings.of(store.uri()).withBatchSize(40).withIdlePoll(Duration.ofMillis(1));
            AtomicBoolean selling = new AtomicBoolean(true);
            try (InventorySync a = InventorySync.start(settings, db.dataSource(), new SimpleMeterRegistry());
                 InventorySync b = InventorySync.start(settings, db.dataSource(), new SimpleMeterRegistry())) {
                sales.run(1500);
                selling.set(false);
                Thread.sleep(700);
                store.awaitCaughtUp(a);
                store.awaitCaughtUp(b);
                assertThat(a.status().batches()).as("both wrote batches").isPositive();
                assertThat(b.status().batches()).isPositive();
                assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();
                assertThat(RdsAgreement.checkpoint(db.dataSource(), "shard-0")).isEqualTo(store.lastSeq());
            }
        }
    }
}
