package dev.seckill.sync.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.sync.InventorySync;
import dev.seckill.sync.RdsAgreement;
import dev.seckill.sync.SaleRun;
import dev.seckill.sync.SyncSettings;
import dev.seckill.sync.TestDatabase;
import dev.seckill.sync.TestStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.List;

/** Reconcile finds drift injected behind the sync's back, tells it from sync lag, names it and repairs it. */
class ReconcilerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void findsNamesAndRepairsDriftAndTellsItFromSyncLag(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind); TestStore store = TestStore.start(dir)) {
            DataSource ds = db.dataSource();
            SaleRun sales = new SaleRun(store, 3, "rec", 4, 500);
            syncOnce(store, ds, () -> sales.run(400));
            Reconciler reconciler = new Reconciler(store.client(), ds, "shard-0");
            assertThat(reconciler.run(ReconcileOptions.all()).differences()).as("in step after a sync").isEmpty();

            String confirmed = one(ds, "SELECT request_id FROM reservation WHERE status = 'confirmed' AND line_count = 1 ORDER BY request_id");
            RdsAgreement.execute(ds, "UPDATE sku_inventory SET total = total + 5, available = available + 5 WHERE sku = 'rec-sku-0'");
            RdsAgreement.execute(ds, "UPDATE reservation SET status = 'cancelled' WHERE request_id = '" + confirmed + "'");
            RdsAgreement.execute(ds, "DELETE FROM sku_inventory WHERE sku = 'rec-sku-1'");
            store.client().restock("rec-sku-3", 7); // the store moves on while no sync runs: lag, not drift

            ReconciliationReport found = reconciler.run(ReconcileOptions.all());
            assertThat(found.result()).isEqualTo("drift");
            assertThat(found.consistent()).isFalse();
            assertThat(drift(found)).contains("sku rec-sku-0", "sku rec-sku-1", "reservation " + confirmed);
            assertThat(found.differences()).filteredOn(d -> d.id().equals("rec-sku-3"))
                    .extracting(Difference::cause).containsOnly(Difference.Cause.SYNC_LAG);
            assertThat(found.toTable()).contains("rec-sku-0", "drift", "sync-lag");
            assertThat(found.toJson()).contains("\"cause\" : \"DRIFT\"", confirmed);
            assertThat(one(ds, "SELECT result FROM reconciliation_run WHERE run_id = " + found.runId())).isEqualTo("drift");

            ReconciliationReport repaired = reconciler.run(ReconcileOptions.all().withRepair(RepairMode.RDS));
            assertThat(repaired.result()).isEqualTo("repaired");
            assertThat(repaired.consistent()).isTrue();
            assertThat(one(ds, "SELECT repairs FROM reconciliation_run WHERE run_id = " + repaired.runId())).isNotEqualTo("0");

            ReconciliationReport after = reconciler.run(ReconcileOptions.all());
            assertThat(after.driftFound()).isZero();
            assertThat(after.result()).isEqualTo("consistent");

            // the RDS raised a SKU's stock: --repair store restocks the store, the sync brings the row back in step
            RdsAgreement.execute(ds, "UPDATE sku_inventory SET total = total + 10, available = available + 10 WHERE sku = 'rec-sku-2'");
            long availableBefore = store.client().stock("rec-sku-2").available();
            ReconciliationReport restocked = reconciler.run(ReconcileOptions.all().withSkus(List.of("rec-sku-2")).withRepair(RepairMode.STORE));
            assertThat(restocked.result()).isEqualTo("repaired");
            assertThat(store.client().stock("rec-sku-2").available()).isEqualTo(availableBefore + 10);

            syncOnce(store, ds, () -> { });
            assertThat(reconciler.run(ReconcileOptions.all()).differences()).isEmpty();
            assertThat(RdsAgreement.differences(store.client(), ds, sales.accepted())).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aReservationRowMissingFromTheRdsShowsInTheSkuHoldings(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind); TestStore store = TestStore.start(dir)) {
            DataSource ds = db.dataSource();
            store.client().create("lost-sku", 10);
            store.client().reserve("lost-sku", 2, "lost-order", "bob", 0);
            syncOnce(store, ds, () -> { });
            RdsAgreement.execute(ds, "DELETE FROM reservation_multi_line WHERE request_id = 'lost-order'");
            RdsAgreement.execute(ds, "DELETE FROM reservation WHERE request_id = 'lost-order'");

            ReconciliationReport report = new Reconciler(store.client(), ds, "shard-0").run(ReconcileOptions.all().withRepair(RepairMode.RDS));
            assertThat(drift(report)).containsExactly("holdings lost-sku");
            assertThat(report.consistent()).as("a row the store cannot list is not repaired").isFalse();
        }
    }

    private static List<String> drift(ReconciliationReport r) {
        return r.differences().stream().filter(d -> d.cause() == Difference.Cause.DRIFT).map(d -> d.kind() + " " + d.id()).toList();
    }

    private static void syncOnce(TestStore store, DataSource ds, Runnable during) throws Exception {
        try (InventorySync sync = InventorySync.start(SyncSettings.of(store.uri()), ds, new SimpleMeterRegistry())) {
            during.run();
            Thread.sleep(700); // the run's short TTLs run out while the sync still runs
            store.awaitCaughtUp(sync);
        }
    }

    private static String one(DataSource ds, String sql) throws Exception {
        try (var c = ds.getConnection(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
