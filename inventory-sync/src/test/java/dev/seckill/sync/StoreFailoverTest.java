package dev.seckill.sync;

import dev.seckill.sync.feed.StockFigures;
import dev.seckill.sync.feed.StoreClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A store given as the list of its three nodes: when the node the clients and the sync talk to
 * dies, a reserve with a request id still takes its units exactly once on another node, and the
 * sync moves to another node and brings the RDS to the store's figures.
 */
class StoreFailoverTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theClientAndTheSyncMoveOnWhenTheirNodeDies() throws Exception {
        try (StoreGroup group = StoreGroup.start(dir);
             TestDatabase db = TestDatabase.create(TestDatabase.Kind.MARIADB);
             StoreClient sales = StoreClient.connect(group.addresses())) {
            assertThat(group.idOf(sales.node())).as("the first node of the list that answers").isEqualTo("n1");
            sales.create("fo-a", 1_000);
            sales.create("fo-b", 1_000);
            Set<String> accepted = new HashSet<>();
            sell(sales, "before", 40, accepted);

            InventorySync sync = InventorySync.start(SyncSettings.of(group.addresses()).withMaxBackoff(Duration.ofSeconds(1)),
                    db.dataSource(), new SimpleMeterRegistry());
            try {
                awaitCaughtUp(sales, sync);
                assertThat(group.idOf(sync.status().storeNode())).isEqualTo("n1");
                StockFigures before = sales.stock("fo-a");

                group.stop("n1");

                long availableAfter = sales.reserve("fo-a", 3, "after-kill", "ann", 600_000);
                accepted.add("after-kill");
                assertThat(group.idOf(sales.node())).as("the client moved on").isNotEqualTo("n1");
                assertThat(availableAfter).isEqualTo(before.available() - 3);
                assertThat(sales.reserve("fo-a", 3, "after-kill", "ann", 600_000)).as("a retry gets the first answer")
                        .isEqualTo(availableAfter);
                assertThat(sales.stock("fo-a")).as("the units were taken once")
                        .isEqualTo(new StockFigures(before.total(), before.available() - 3, before.reserved() + 3, before.sold()));

                sell(sales, "after", 40, accepted);
                await("the sync reads from a live node").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> !group.idOf(sync.status().storeNode()).equals("n1"));
                awaitCaughtUp(sales, sync);
                assertThat(RdsAgreement.differences(sales, db.dataSource(), accepted)).isEmpty();
                assertThat(RdsAgreement.checkpoint(db.dataSource(), SyncSettings.DEFAULT_SHARD))
                        .isEqualTo(sales.changes(Long.MAX_VALUE - 1, 1).lastSeq());
                assertThat(sales.changes(0, 1).ackedSeq()).as("acknowledged up to the checkpoint, no further")
                        .isEqualTo(RdsAgreement.checkpoint(db.dataSource(), SyncSettings.DEFAULT_SHARD));
            } finally {
                sync.close();
            }
        }
    }

    /** Reserves, confirms every other one, deducts now and then: all with request ids. */
    private static void sell(StoreClient store, String prefix, int n, Set<String> accepted) {
        for (int i = 0; i < n; i++) {
            String id = prefix + "-" + i;
            String sku = i % 2 == 0 ? "fo-a" : "fo-b";
            if (i % 5 == 4) {
                store.deduct(sku, 1, id, "u" + i);
            } else {
                store.reserve(sku, 1 + i % 3, id, "u" + i, 600_000);
                if (i % 2 == 0) {
                    store.confirm(id);
                }
            }
            accepted.add(id);
        }
    }

    private static void awaitCaughtUp(StoreClient store, InventorySync sync) {
        await("the sync caught up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            long last = store.changes(Long.MAX_VALUE - 1, 1).lastSeq();
            SyncStatus s = sync.status();
            return s.appliedSeq() == last && s.lagChanges() == 0;
        });
    }
}
