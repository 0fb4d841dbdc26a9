package dev.seckill.sync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.sync.InventorySync;
import dev.seckill.sync.RdsAgreement;
import dev.seckill.sync.SaleRun;
import dev.seckill.sync.TestDatabase;
import dev.seckill.sync.TestStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/** The CLI as a real process: crashes at the worst moment, kill -9 under load, reconcile, load, bad input. */
class SyncCliIT {
    @TempDir
    Path dir;

    @Test
    void aCrashBetweenTheCommitAndTheAckAppliesNothingTwice() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB); TestStore store = TestStore.start(dir.resolve("store"))) {
            SaleRun sales = new SaleRun(store, 5, "crash", 4, 400);
            sales.run(600);
            Thread.sleep(700);

            SyncCli crashed = SyncCli.start(dir, List.of("-D" + InventorySync.HALT_AFTER_COMMIT + "=1"),
                    "sync", "--store", store.uri(), "--jdbc-url", db.url(), "--batch-size", "100");
            // its first batch was full (100 of 600 rows), so the next one was already fetched ahead
            assertThat(crashed.waitFor()).as("halted right after its first commit").isEqualTo(99);
            long checkpoint = RdsAgreement.checkpoint(db.dataSource(), "shard-0");
            assertThat(checkpoint).as("the batch was committed").isPositive();
            assertThat(store.client().changes(0, 1).ackedSeq()).as("but never acknowledged").isLessThan(checkpoint);

            SyncCli restarted = SyncCli.run(dir, "sync", "--store", store.uri(), "--jdbc-url", db.url(),
                    "--batch-size", "100", "--exit-when-idle", "--verbose");
            assertThat(restarted.exitCode()).as(restarted.stderr()).isZero();
            assertThat(restarted.stdout()).as("it resumed after the committed batch").contains("batch: checkpoint " + checkpoint + " -> ");
            assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();
            assertThat(store.client().changes(0, 1).ackedSeq()).isEqualTo(store.lastSeq());
        }
    }

    @Test
    void randomKill9sOfTheSyncDuringSalesLoseAndDoubleNothing() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB); TestStore store = TestStore.start(dir.resolve("store"))) {
            SaleRun sales = new SaleRun(store, 9, "kill", 5, 2000);
            AtomicBoolean selling = new AtomicBoolean(true);
            Thread seller = new Thread(() -> {
                while (selling.get()) {
                    sales.step();
                }
            });
            seller.start();
            Random random = new Random(99);
            try {
                for (int i = 0; i < 3; i++) {
                    SyncCli sync = SyncCli.start(dir, List.of(), "sync", "--store", store.uri(), "--jdbc-url", db.url(), "--batch-size", "200");
                    Thread.sleep(1500 + random.nextInt(1500));
                    assertThat(sync.alive()).as("sync %d still running: %s", i, sync.stderr()).isTrue();
                    sync.kill9();
                }
            } finally {
                selling.set(false);
                seller.join();
            }
            Thread.sleep(700);
            SyncCli last = SyncCli.run(dir, "sync", "--store", store.uri(), "--jdbc-url", db.url(), "--exit-when-idle");
            assertThat(last.exitCode()).as(last.stderr()).isZero();
            assertThat(sales.accepted()).hasSizeGreaterThan(300);
            assertThat(RdsAgreement.differences(store.client(), db.dataSource(), sales.accepted())).isEmpty();
        }
    }

    @Test
    void reconcileNamesDriftExitsOneRepairsItThenExitsZero() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB); TestStore store = TestStore.start(dir.resolve("store"))) {
            store.client().create("drift-a", 10);
            store.client().create("drift-b", 10);
            store.client().reserve("drift-a", 3, "order-1", "ann", 0);
            store.confirm("order-1");
            String[] conn = {"--store", store.uri(), "--jdbc-url", db.url()};
            assertThat(SyncCli.run(dir, concat(new String[] {"sync", "--exit-when-idle"}, conn)).exitCode()).isZero();
            assertThat(SyncCli.run(dir, concat(new String[] {"reconcile"}, conn)).exitCode()).isZero();

            RdsAgreement.execute(db.dataSource(), "UPDATE sku_inventory SET sold = sold - 1, available = available + 1 WHERE sku = 'drift-a'");
            SyncCli found = SyncCli.run(dir, concat(new String[] {"reconcile"}, conn));
            assertThat(found.exitCode()).isEqualTo(1);
            assertThat(found.stdout()).contains("drift-a").contains("drift").doesNotContain("drift-b ");

            SyncCli json = SyncCli.run(dir, concat(new String[] {"reconcile", "--json", "--sku", "drift-a"}, conn));
            assertThat(json.exitCode()).isEqualTo(1);
            assertThat(json.stdout()).contains("\"id\" : \"drift-a\"", "\"cause\" : \"DRIFT\"");

            SyncCli repaired = SyncCli.run(dir, concat(new String[] {"reconcile", "--repair", "rds"}, conn));
            assertThat(repaired.exitCode()).as(repaired.stdout() + repaired.stderr()).isZero();
            assertThat(repaired.stdout()).contains("repaired");
            SyncCli clean = SyncCli.run(dir, concat(new String[] {"reconcile"}, conn));
            assertThat(clean.exitCode()).isZero();
            assertThat(clean.stdout()).contains("consistent");
        }
    }

    @Test
    void loadWarmsUpIdempotentlyAndRebuildsALostStore() throws Exception {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB)) {
            RdsAgreement.execute(db.dataSource(), "INSERT INTO sku_inventory (sku, total, available, reserved, sold, store_seq, updated_at)"
                    + " VALUES ('warm-a', 100, 100, 0, 0, 0, 0), ('warm-b', 5, 5, 0, 0, 0, 0)");
            Set<String> accepted;
            try (TestStore store = TestStore.start(dir.resolve("first"))) {
                String[] conn = {"--store", store.uri(), "--jdbc-url", db.url()};
                SyncCli first = SyncCli.run(dir, concat(new String[] {"load"}, conn));
                assertThat(first.exitCode()).as(first.stderr()).isZero();
                assertThat(first.stdout()).contains("warm-a: created 100", "2 SKUs changed");
                SyncCli second = SyncCli.run(dir, concat(new String[] {"load"}, conn));
                assertThat(second.exitCode()).isZero();
                assertThat(second.stdout()).contains("warm-a: unchanged", "0 SKUs changed");
                assertThat(store.client().stock("warm-a").total()).isEqualTo(100);

                store.client().reserve("warm-a", 4, "keep-1", "kim", 600_000);
                store.client().deduct("warm-a", 6, "sold-1", "lee");
                store.client().reserve("warm-b", 1, "gone-1", null, 0);
                store.cancel("gone-1");
                accepted = Set.of("keep-1", "sold-1", "gone-1");
                assertThat(SyncCli.run(dir, concat(new String[] {"sync", "--exit-when-idle"}, conn)).exitCode()).isZero();
                assertThat(RdsAgreement.differences(store.client(), db.dataSource(), accepted)).isEmpty();

                SyncCli notEmpty = SyncCli.run(dir, concat(new String[] {"load", "--all"}, conn));
                assertThat(notEmpty.exitCode()).isEqualTo(2);
                assertThat(notEmpty.stderr().strip()).contains("EMPTY store").doesNotContain("Exception");
            }
            try (TestStore lost = TestStore.start(dir.resolve("second"))) { // the store is gone; a new empty one
                String[] conn = {"--store", lost.uri(), "--jdbc-url", db.url()};
                SyncCli rebuilt = SyncCli.start(dir, List.of("-Dinventory.sync.debug=true"), concat(new String[] {"load", "--all"}, conn));
                rebuilt.waitFor();
                assertThat(rebuilt.exitCode()).as(rebuilt.stderr()).isZero();
                assertThat(rebuilt.stdout()).contains("2 reservations restored");
                assertThat(lost.client().stock("warm-a")).isEqualTo(new dev.seckill.sync.feed.StockFigures(100, 90, 4, 6));
                assertThat(SyncCli.run(dir, concat(new String[] {"sync", "--exit-when-idle"}, conn)).exitCode()).isZero();
                SyncCli check = SyncCli.run(dir, concat(new String[] {"reconcile"}, conn));
                assertThat(check.exitCode()).as(check.stdout()).isZero();
            }
        }
    }

    @Test
    void badInputGetsOneClearLineAndANonZeroExit() throws Exception {
        int closedPort;
        int otherClosedPort;
        try (ServerSocket s = new ServerSocket(0); ServerSocket t = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
            otherClosedPort = t.getLocalPort();
        }
        try (TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB); TestDatabase bare = TestDatabase.empty(TestDatabase.Kind.MARIADB);
             TestStore store = TestStore.start(dir.resolve("store"))) {
            expectOneLine("cannot connect to the database", "sync", "--store", store.uri(), "--jdbc-url", "jdbc:mariadb://127.0.0.1:" + closedPort + "/x");
            expectOneLine("No suitable driver", "reconcile", "--store", store.uri(), "--jdbc-url", "jdbc:nosuch://x");
            expectOneLine("has no table", "sync", "--store", store.uri(), "--jdbc-url", bare.url());
            expectOneLine("cannot reach the store", "sync", "--store", "redis://127.0.0.1:" + closedPort, "--jdbc-url", db.url());
            expectOneLine("store address 'http://x' must look like redis://host:port", "load", "--store", "http://x", "--jdbc-url", db.url());
            expectOneLine("store address 2 of 3 is empty", "sync", "--migrate", "--store", "redis://127.0.0.1:1,,127.0.0.1:2",
                    "--jdbc-url", bare.url());
            expectOneLine("has no table", "sync", "--store", store.uri(), "--jdbc-url", bare.url()); // not migrated
            expectOneLine("no store node answers (redis://127.0.0.1:" + closedPort + ": ", "reconcile", "--store",
                    "redis://127.0.0.1:" + closedPort + ",127.0.0.1:" + otherClosedPort, "--jdbc-url", db.url());
            expectOneLine("Unknown option: '--frobnicate'", "sync", "--store", store.uri(), "--jdbc-url", db.url(), "--frobnicate");
            expectOneLine("--repair takes store or rds", "reconcile", "--store", store.uri(), "--jdbc-url", db.url(), "--repair", "both");
            expectOneLine("Missing required option", "load");
        }
    }

    private void expectOneLine(String message, String... args) throws Exception {
        SyncCli cli = SyncCli.run(dir, args);
        String err = cli.stderr();
        assertThat(cli.exitCode()).as("exit code of %s", String.join(" ", args)).isEqualTo(2);
        assertThat(err).contains(message).doesNotContain("Exception", "\tat ");
        assertThat(err.strip().lines().count()).as("one line: %s", err).isEqualTo(1);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
