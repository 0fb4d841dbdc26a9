package dev.seckill.service.store;

import dev.seckill.service.store.StoreGateway.ReserveResult;
import dev.seckill.sync.StoreGroup;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The gateway given the three nodes of a real store group (in this JVM, over real Lettuce
 * connections). When the node it talks to dies after applying a reserve but before its answer
 * got out, the reserve is sent to the next node under the same request id and takes its units
 * exactly once; a restock without a request id is not sent again (503), and applied once.
 */
class NodeFailoverTest {
    /** Answers are checked here, not speed: a shared box may take seconds to elect and fsync. */
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void whenTheConnectedNodeDiesAReserveIsTakenOnceOnAnotherAndARestockIsNotResent() throws Exception {
        try (StoreGroup group = StoreGroup.start(dir);
             NodeProxy toN1 = new NodeProxy(group.port("n1"));
             NodeProxy toN2 = new NodeProxy(group.port("n2"));
             StoreGateway store = gateway("redis://127.0.0.1:" + toN1.port() + ",127.0.0.1:" + toN2.port()
                     + ",127.0.0.1:" + group.port("n3"));
             StoreGateway n3 = gateway("redis://127.0.0.1:" + group.port("n3"))) {
            String viaN1 = "redis://127.0.0.1:" + toN1.port();
            String viaN2 = "redis://127.0.0.1:" + toN2.port();
            store.create("fo-sku", 10);
            assertThat(store.reserve("fo-sku", 1, "fo-1", "ann", null, 600_000).reservation()).isNotNull();
            assertThat(store.uri()).as("the first node of the list").isEqualTo(viaN1);

            // n1 applies the reserve, then dies before its answer gets out
            toN1.dropAnswers();
            CompletableFuture<ReserveResult> reserve = CompletableFuture.supplyAsync(
                    () -> store.reserve("fo-sku", 2, "fo-2", "bob", null, 600_000));
            await("n1 applied fo-2").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> n3.stock("fo-sku").orElseThrow().available() == 7);
            toN1.cut();
            group.stop("n1");

            ReserveResult r = reserve.get(60, TimeUnit.SECONDS);
            assertThat(r.refusal()).isNull();
            assertThat(r.replay()).as("sent again under its request id: the store's first answer").isTrue();
            assertThat(r.availableAfter()).isEqualTo(7);
            assertThat(r.reservation().quantity()).isEqualTo(2);
            assertThat(n3.stock("fo-sku")).as("two units taken, once").contains(new Stock(10, 7, 3, 0));
            assertThat(store.uri()).as("moved on from the dead node").isNotEqualTo(viaN1);

            // a restock without a request id whose answer is lost is not sent again
            assertThat(store.reserve("fo-sku", 1, "fo-3", "cy", null, 600_000).reservation()).isNotNull();
            assertThat(store.uri()).isEqualTo(viaN2);
            toN2.dropAnswers();
            CompletableFuture<Long> restock = CompletableFuture.supplyAsync(() -> store.restock("fo-sku", 5, null));
            await("n2 applied the restock").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> n3.stock("fo-sku").orElseThrow().total() == 15);
            toN2.cut();
            StoreUnavailableException refused = catchThrowableOfType(() -> join(restock), StoreUnavailableException.class);
            assertThat(refused).as("the lost restock fails (503) instead of being sent again").isNotNull();
            assertThat(refused.getMessage()).contains("not sent again");

            assertThat(store.reserve("fo-sku", 1, "fo-4", "dee", null, 600_000).reservation()).isNotNull();
            assertThat(store.uri()).isEqualTo("redis://127.0.0.1:" + group.port("n3"));
            assertThat(n3.stock("fo-sku")).as("the restock applied once").contains(new Stock(15, 10, 5, 0));
            assertThat(store.nodes()).containsExactly(viaN1, viaN2, "redis://127.0.0.1:" + group.port("n3"));
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aNodeThatRefusesConnectionsIsSkippedAndAllRefusingFailsAtOnce() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (StoreGroup group = StoreGroup.start(dir);
             StoreGateway store = gateway("redis://127.0.0.1:" + closed + ",127.0.0.1:" + group.port("n2"))) {
            store.create("skip-sku", 3);
            assertThat(store.uri()).isEqualTo("redis://127.0.0.1:" + group.port("n2"));
            assertThat(store.reserve("skip-sku", 1, "skip-1", "ann", null, 600_000).availableAfter()).isEqualTo(2);
        }
        try (StoreGateway none = gateway("redis://127.0.0.1:" + closed)) {
            long start = System.nanoTime();
            StoreUnavailableException e = catchThrowableOfType(() -> none.stock("x"), StoreUnavailableException.class);
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("redis://127.0.0.1:" + closed);
            assertThat(System.nanoTime() - start).as("no waiting for a node that refuses")
                    .isLessThan(TIMEOUT.toNanos());
        }
    }

    private static StoreGateway gateway(String addresses) {
        List<RedisURI> nodes = dev.seckill.sync.feed.StoreNodes.parse(addresses);
        nodes.forEach(n -> n.setTimeout(TIMEOUT));
        return StoreGateway.overResp(nodes, TIMEOUT, CircuitBreaker.ofDefaults("failover-test"), new SimpleMeterRegistry());
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
