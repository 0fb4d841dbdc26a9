package dev.seckill.service.store;

import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import dev.seckill.store.StoreConfig;
import dev.seckill.store.local.LocalClient;
import dev.seckill.store.server.StoreNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * With {@code store.uri} the service uses a counter-store it does not run (here a node started
 * by the test), through the same gateway. When that store goes away, purchases are answered
 * 503 UNAVAILABLE with Retry-After at once, never left to time out, and the breaker opens.
 */
class ExternalStoreTest {

    @Test
    void anExternalStoreAndItsLoss(@TempDir Path dir) throws Exception {
        StoreNode store = StoreNode.start(StoreConfig.defaults().withPort(0).withDataDir(dir.resolve("external-store")));
        boolean storeClosed = false;
        try (TestPlatform platform = TestPlatform.start(dir.resolve("service"),
                "store.uri=redis://127.0.0.1:" + store.port())) {
            String sale = unique("ext");
            assertThat(platform.createSale("{\"id\":\"" + sale + "\",\"sku\":\"" + sale + "\",\"stock\":3}").status())
                    .isEqualTo(201);
            assertThat(platform.buy(sale, "k", "alice", 1).status()).isEqualTo(201);
            assertThat(platform.stock(sale)).containsExactly(3, 2, 1, 0);
            assertThat(platform.get("/actuator/health", null).json().at("/components/store/details/uri").asText())
                    .isEqualTo("redis://127.0.0.1:" + store.port());
            assertThat(platform.get("/actuator/health", null).json().at("/components/store/details/nodes/0").asText())
                    .isEqualTo("redis://127.0.0.1:" + store.port());

            store.close();
            storeClosed = true;
            for (int i = 0; i < 30; i++) {
                long start = System.nanoTime();
                Answer a = platform.buy(sale, "k-" + i, "buyer-" + i, 1);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(a.status()).as(a.toString()).isEqualTo(503);
                assertThat(a.code()).isEqualTo("UNAVAILABLE");
                assertThat(a.header("Retry-After")).isNotNull();
                assertThat(millis).as("answered, not timed out").isLessThan(2_500);
            }
            Counter open = platform.bean(MeterRegistry.class).find("seckill.admission.rejects")
                    .tag("reason", "circuit_open").counter();
            assertThat(open).as("the breaker opened and turned buyers away before the store").isNotNull();
            assertThat(open.count()).isPositive();
            Answer health = platform.get("/actuator/health", null);
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().at("/components/store/status").asText()).isEqualTo("DOWN");
        } finally {
            if (!storeClosed) {
                store.close();
            }
        }
    }

    @Test
    void theServiceStartsBeforeItsStoreAndRecoversWhenItComes(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (TestPlatform platform = TestPlatform.start(dir.resolve("service"), "store.uri=redis://127.0.0.1:" + port)) {
            long start = System.nanoTime();
            Answer create = platform.createSale("{\"id\":\"late\",\"sku\":\"late\",\"stock\":2}");
            assertThat(create.status()).as(create.toString()).isEqualTo(503);
            assertThat(create.header("Retry-After")).isNotNull();
            assertThat((System.nanoTime() - start) / 1_000_000).as("answered at once").isLessThan(2_500);
            Answer health = platform.get("/actuator/health", null);
            assertThat(health.json().at("/components/store/status").asText()).isEqualTo("DOWN");
            assertThat(health.json().at("/components/sync/details/state").asText()).isEqualTo("NOT_STARTED");

            StoreNode store = StoreNode.start(StoreConfig.defaults().withPort(port).withDataDir(dir.resolve("store")));
            try {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                        .pollInterval(java.time.Duration.ofMillis(200))
                        .until(() -> platform.createSale("{\"id\":\"late\",\"sku\":\"late\",\"stock\":2}").status() == 201);
                assertThat(platform.buy("late", "k", "alice", 1).status()).isEqualTo(201);
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                        .pollInterval(java.time.Duration.ofMillis(200)).untilAsserted(() -> {
                            Answer h = platform.get("/actuator/health", null);
                            assertThat(h.json().at("/components/store/status").asText()).isEqualTo("UP");
                            assertThat(h.json().at("/components/sync/details/state").asText()).isEqualTo("RUNNING");
                        });
            } finally {
                store.close();
            }
        }
    }

    /**
     * A real fault under the store's snapshots: its snapshot directory is replaced by a file, so
     * every snapshot fails ("Not a directory"); the store component goes DOWN with the alarm's
     * details, and UP again once a snapshot is written.
     */
    @Test
    void theStoreIsDownWhileItsSnapshotsFail(@TempDir Path dir) throws Exception {
        StoreNode store = StoreNode.start(StoreConfig.defaults().withPort(0).withDataDir(dir.resolve("store"))
                .withSnapshotEvery(10));
        LocalClient writes = new LocalClient(store);
        try (TestPlatform platform = TestPlatform.start(dir.resolve("service"),
                "store.uri=redis://127.0.0.1:" + store.port())) {
            Path sm;
            try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
                sm = files.filter(p -> p.getFileName().toString().equals("sm")).findFirst().orElseThrow();
            }
            Path aside = sm.resolveSibling("sm-aside");
            Files.move(sm, aside);
            Files.writeString(sm, "not a directory");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                writes.send("INCR", "ticks").get(10, TimeUnit.SECONDS);
                Answer h = platform.get("/actuator/health", TestPlatform.ADMIN_TOKEN);
                assertThat(h.status()).isEqualTo(503);
                assertThat(h.json().at("/components/store/status").asText()).isEqualTo("DOWN");
                assertThat(h.json().at("/components/store/details/snapshot_status").asText()).isEqualTo("failing");
                assertThat(h.json().at("/components/store/details/snapshot_last_error").asText())
                        .contains("Not a directory");
            });

            Files.delete(sm);
            Files.move(aside, sm);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                writes.send("INCR", "ticks").get(10, TimeUnit.SECONDS);
                Answer h = platform.get("/actuator/health", TestPlatform.ADMIN_TOKEN);
                assertThat(h.json().at("/components/store/status").asText()).isEqualTo("UP");
            });
        } finally {
            store.close();
        }
    }

    @Test
    void aBadListOfStoreNodesStopsTheStartWithTheBadPartNamed(@TempDir Path dir) {
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> TestPlatform.start(dir.resolve("service"),
                "store.uri=redis://127.0.0.1:7001,,127.0.0.1:7003").close());
        assertThat(failure).isNotNull();
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertThat(root).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("store.uri: store address 2 of 3 is empty");
    }
}
