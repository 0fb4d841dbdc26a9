package dev.seckill.service.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static dev.seckill.service.TestPlatform.ADMIN_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The dashboard's data endpoints through real HTTP on the shared embedded platform. */
@ExtendWith(SharedPlatform.class)
class AdminApiTest {
    private final TestPlatform platform;

    AdminApiTest(TestPlatform platform) {
        this.platform = platform;
    }

    private JsonNode overview() {
        Answer a = platform.get("/admin/api/overview", ADMIN_TOKEN);
        assertThat(a.status()).as("%s", a).isEqualTo(200);
        return a.json();
    }

    private static JsonNode saleIn(JsonNode overview, String id) {
        for (JsonNode s : overview.get("sales")) {
            if (s.get("id").asText().equals(id)) {
                return s;
            }
        }
        return null;
    }

    /** Purchases with this outcome over the window (other test classes buy on this platform too). */
    private static long counted(JsonNode overview, String outcome) {
        long sum = 0;
        for (JsonNode n : overview.at("/orders/series/" + outcome)) {
            sum += n.asLong();
        }
        return sum;
    }

    @Test
    void theOverviewShowsSalesWithLiveStockTheStoreAndPerSecondCounts() {
        String sale = unique("admin-sale");
        assertThat(platform.createSale("{\"id\":\"" + sale + "\",\"sku\":\"" + sale + "-sku\",\"stock\":10,"
                + "\"perUserLimit\":1}").status()).isEqualTo(201);
        JsonNode before = overview();
        long limitedBefore = counted(before, "purchase_limit");

        for (int i = 0; i < 3; i++) {
            assertThat(platform.buy(sale, "k" + i, "user-" + i, 1).status()).isEqualTo(201);
        }
        assertThat(platform.buy(sale, "k-again", "user-0", 1).status()).isEqualTo(403);

        JsonNode s = saleIn(overview(), sale);
        assertThat(s).isNotNull();
        assertThat(s.at("/stock/total").asLong()).isEqualTo(10);
        assertThat(s.at("/stock/available").asLong()).isEqualTo(7);
        assertThat(s.at("/stock/reserved").asLong()).isEqualTo(3);
        assertThat(s.get("status").asText()).isEqualTo("ACTIVE");

        // the sampler turns the running totals into per-second counts within a second or two
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(counted(overview(), "purchase_limit")).isGreaterThanOrEqualTo(limitedBefore + 1));
        JsonNode o = overview();
        assertThat(o.at("/orders/windowSeconds").asInt()).isEqualTo(DashboardSampler.WINDOW_SECONDS);
        int length = o.at("/orders/length").asInt();
        assertThat(length).isBetween(1, DashboardSampler.WINDOW_SECONDS);
        assertThat(o.at("/orders/series")).hasSize(DashboardSampler.OUTCOMES.size());
        o.at("/orders/series").forEach(series -> assertThat(series).hasSize(length));
        assertThat(counted(o, "created")).isGreaterThanOrEqualTo(3);
        assertThat(o.at("/createdBySaleSeconds").asInt()).isEqualTo(DashboardSampler.SALE_RATE_SECONDS);

        assertThat(o.at("/latency/byOutcome/created/p99Ms").asDouble()).isPositive();
        // the store's INFO is read by its own sampler thread once a second: wait for a reading
        // taken after the purchases
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode store = overview().get("store");
            assertThat(store.get("up").asBoolean()).isTrue();
            assertThat(store.get("node").asText()).as("the node the service talks to").startsWith("redis://127.0.0.1:");
            assertThat(store.get("role").asText()).isEqualTo("leader");
            assertThat(store.get("leader").asText()).isEqualTo("n1");
            assertThat(store.get("appliedIndex").asLong()).isPositive();
        });
    }

    @Test
    void withoutTheSyncTheOverviewSaysSoAndCountsTheWaitingChanges(@TempDir Path dir) {
        try (TestPlatform alone = TestPlatform.start(dir, "seckill.sync.enabled=false")) {
            String sale = unique("admin-nosync");
            assertThat(alone.createSale("{\"id\":\"" + sale + "\",\"sku\":\"" + sale + "-sku\",\"stock\":3}").status())
                    .isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode sync = alone.get("/admin/api/overview", ADMIN_TOKEN).json().get("sync");
                assertThat(sync.get("running").asBoolean()).isFalse();
                assertThat(sync.get("detail").asText()).contains("seckill.sync.enabled=false")
                        .containsPattern("[1-9][0-9]* changes wait in the store's feed");
            });
        }
    }

    @Test
    void aReconciliationRunsRecordsItsResultAndOnlyOneRunsAtATime() {
        String sale = unique("admin-recon");
        assertThat(platform.createSale("{\"id\":\"" + sale + "\",\"sku\":\"" + sale + "-sku\",\"stock\":5}").status())
                .isEqualTo(201);
        assertThat(platform.buy(sale, "k1", "alice", 2).status()).isEqualTo(201);
        // let the sync write it, so the result is not about lag
        await().atMost(Duration.ofSeconds(10)).until(() -> overview().at("/sync/pendingChanges").asLong() == 0);

        // two at once: one runs, the other hears 409 unless the first was already done
        CompletableFuture<Answer> first = CompletableFuture.supplyAsync(
                () -> platform.post("/admin/api/reconciliations", ADMIN_TOKEN, null));
        Answer second = platform.post("/admin/api/reconciliations", ADMIN_TOKEN, null);
        Answer one = first.join();
        assertThat(one.status()).isIn(200, 409);
        assertThat(second.status()).isIn(200, 409);
        assertThat(one.status() == 200 || second.status() == 200).isTrue();
        Answer done = one.status() == 200 ? one : second;
        Answer other = one.status() == 200 ? second : one;
        if (other.status() == 409) {
            assertThat(other.code()).isEqualTo("RECONCILIATION_RUNNING");
        }

        assertThat(done.text("result")).isEqualTo("consistent");
        assertThat(done.number("skusChecked")).isPositive();
        assertThat(done.number("driftFound")).isZero();
        long runId = done.number("runId");
        JsonNode last = overview().at("/reconciliation/last");
        assertThat(last.get("runId").asLong()).isGreaterThanOrEqualTo(runId);
        assertThat(overview().at("/reconciliation/available").asBoolean()).isTrue();
    }
}
