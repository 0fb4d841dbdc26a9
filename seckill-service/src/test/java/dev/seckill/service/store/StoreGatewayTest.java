package dev.seckill.service.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.seckill.service.store.StoreGateway.ReserveResult;
import dev.seckill.store.StoreConfig;
import dev.seckill.store.local.LocalClient;
import dev.seckill.store.server.StoreNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's answers, the same whichever way it reaches the store: over RESP through Lettuce
 * (an external store) or by in-process calls (the embedded default). One real store node serves
 * both.
 */
class StoreGatewayTest {
    private static StoreNode node;

    enum Transport { RESP, IN_PROCESS }

    @BeforeAll
    static void startStore() throws Exception {
        Path dir = Files.createTempDirectory("gateway-test");
        node = StoreNode.start(StoreConfig.defaults().withPort(0).withDataDir(dir));
    }

    @AfterAll
    static void stopStore() {
        node.close();
    }

    private static StoreGateway gateway(Transport transport) {
        Duration timeout = Duration.ofSeconds(30); // answers are checked here, not speed (a shared box may fsync slowly)
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("test-" + transport);
        String uri = "redis://127.0.0.1:" + node.port();
        return transport == Transport.RESP
                ? StoreGateway.overResp(List.of(RedisURI.create(uri)), timeout, breaker, new SimpleMeterRegistry())
                : StoreGateway.inProcess(new LocalClient(node), uri, timeout, breaker, new SimpleMeterRegistry());
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A SKU of its own with {@code total} units. */
    private static String newSku(StoreGateway store, long total) {
        String sku = unique("sku");
        store.create(sku, total);
        return sku;
    }

    private static StoreRefusal refusal(Runnable call) {
        StoreRefusal r = catchThrowableOfType(call::run, StoreRefusal.class);
        assertThat(r).as("refused").isNotNull();
        return r;
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void createRestockAndReadStock(Transport transport) {
        try (StoreGateway store = gateway(transport)) {
            String sku = newSku(store, 10);
            assertThat(refusal(() -> store.create(sku, 5)).code()).isEqualTo("EXISTS");
            assertThat(store.restock(sku, 5, null)).isEqualTo(15);
            String once = unique("r");
            assertThat(store.restock(sku, 5, once)).isEqualTo(20);
            assertThat(store.restock(sku, 5, once)).as("a retry adds nothing").isEqualTo(20);
            StoreRefusal tooMuch = refusal(() -> store.restock(sku, -30, null));
            assertThat(tooMuch.code()).isEqualTo("INSUFFICIENT");
            assertThat(tooMuch.figure()).isEqualTo(20);
            assertThat(refusal(() -> store.restock(unique("nope"), 1, null)).code()).isEqualTo("NOSUCHSKU");
            assertThat(store.stock(sku)).contains(new Stock(20, 20, 0, 0));
            assertThat(store.stock(unique("nope"))).isEmpty();
            String other = newSku(store, 1);
            Map<String, Stock> both = store.stocks(List.of(sku, unique("nope"), other));
            assertThat(both).containsOnlyKeys(sku, other);
            assertThat(both.get(other)).isEqualTo(new Stock(1, 1, 0, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void reserveAndReplay(Transport transport) {
        try (StoreGateway store = gateway(transport)) {
            String sku = newSku(store, 3);
            String order = unique("o");
            ReserveResult first = store.reserve(sku, 2, order, "alice", 2, 60_000);
            assertThat(first.replay()).isFalse();
            assertThat(first.refusal()).isNull();
            assertThat(first.availableAfter()).isEqualTo(1);
            StoredReservation r = first.reservation();
            assertThat(r.requestId()).isEqualTo(order);
            assertThat(r.sku()).isEqualTo(sku);
            assertThat(r.quantity()).isEqualTo(2);
            assertThat(r.user()).isEqualTo("alice");
            assertThat(r.state()).isEqualTo("RESERVED");
            assertThat(r.expiresAt()).isEqualTo(r.createdAt() + 60_000);

            ReserveResult again = store.reserve(sku, 2, order, "alice", 2, 60_000);
            assertThat(again.replay()).isTrue();
            assertThat(again.availableAfter()).as("the first answer").isEqualTo(1);
            assertThat(again.reservation()).isEqualTo(r);
            assertThat(store.stock(sku)).contains(new Stock(3, 1, 2, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void refusalsComeBackAsAnswers(Transport transport) {
        try (StoreGateway store = gateway(transport)) {
            String sku = newSku(store, 3);
            ReserveResult tooMany = store.reserve(sku, 5, unique("o"), "bob", null, 60_000);
            assertThat(tooMany.refusal().code()).isEqualTo("INSUFFICIENT");
            assertThat(tooMany.refusal().figure()).isEqualTo(3);
            assertThat(tooMany.reservation()).isNull();
            assertThat(store.reserve(sku, 2, unique("o"), "bob", 2, 60_000).refusal()).isNull();
            ReserveResult overLimit = store.reserve(sku, 1, unique("o"), "bob", 2, 60_000);
            assertThat(overLimit.refusal().code()).isEqualTo("LIMIT");
            assertThat(overLimit.refusal().figure()).isEqualTo(2);
            assertThat(store.reserve(sku, 1, unique("o"), "carol", 2, 60_000).refusal()).isNull();
            assertThat(store.reserve(sku, 1, unique("o"), "dave", 2, 60_000).refusal().code()).isEqualTo("SOLDOUT");
            assertThat(store.reserve(unique("nope"), 1, unique("o"), "dave", null, 60_000).refusal().code())
                    .isEqualTo("NOSUCHSKU");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void confirmCancelAndRead(Transport transport) {
        try (StoreGateway store = gateway(transport)) {
            String sku = newSku(store, 5);
            String kept = unique("o");
            String dropped = unique("o");
            store.reserve(sku, 1, kept, "erin", null, 60_000);
            store.reserve(sku, 2, dropped, "erin", null, 60_000);
            assertThat(store.confirm(kept).state()).isEqualTo("CONFIRMED");
            assertThat(store.cancel(dropped).state()).isEqualTo("CANCELLED");
            assertThat(refusal(() -> store.cancel(kept)).code()).isEqualTo("CONFIRMED");
            assertThat(refusal(() -> store.confirm(dropped)).code()).isEqualTo("CANCELLED");
            assertThat(refusal(() -> store.confirm(unique("o"))).code()).isEqualTo("NOSUCHRESERVATION");
            assertThat(store.reservation(kept).map(StoredReservation::state)).contains("CONFIRMED");
            assertThat(store.reservation(unique("o"))).isEmpty();
            assertThat(store.stock(sku)).contains(new Stock(5, 4, 0, 1));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void serverCommandsAndBadInput(Transport transport) {
        try (StoreGateway store = gateway(transport)) {
            assertThat(store.ping()).isEqualTo("PONG");
            assertThat(store.info("replication")).containsEntry("role", "master");
            assertThat(store.uri()).isEqualTo("redis://127.0.0.1:" + node.port());
            // a SKU id longer than the store takes is this side's bug, not the store's health
            String tooLong = "x".repeat(200);
            IllegalStateException e = catchThrowableOfType(() -> store.create(tooLong, 1), IllegalStateException.class);
            assertThat(e).hasMessageStartingWith("the store refused a command: ERR");
            assertThat(store.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        }
    }
    /** An executor that runs at once and counts what it was given. */
    private static final class CountingExecutor implements Executor {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public void execute(Runnable command) {
            runs.incrementAndGet();
            command.run();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void reserveAsyncAnswersAsReserveDoesAndContinuesOnTheExecutorGiven(Transport transport) {
        try (StoreGateway store = gateway(transport)) {
            CountingExecutor continueOn = new CountingExecutor();
            String sku = newSku(store, 2);
            String order = unique("o");
            ReserveResult first = store.reserveAsync(sku, 1, order, "erin", 1, 60_000, continueOn).join();
            assertThat(continueOn.runs).as("the answer was read on the executor given").hasPositiveValue();
            assertThat(first.replay()).isFalse();
            assertThat(first.availableAfter()).isEqualTo(1);
            assertThat(first.reservation().user()).isEqualTo("erin");
            assertThat(store.reserveAsync(sku, 1, order, "erin", 1, 60_000, continueOn).join())
                    .as("a replay, the same as reserve's").isEqualTo(store.reserve(sku, 1, order, "erin", 1, 60_000));
            assertThat(store.reserveAsync(sku, 1, unique("o"), "erin", 1, 60_000, continueOn).join().refusal().code())
                    .isEqualTo("LIMIT");
            assertThat(store.reserveAsync(sku, 1, unique("o"), "fred", null, 60_000, continueOn).join().refusal())
                    .isNull();
            assertThat(store.reserveAsync(sku, 1, unique("o"), "gina", null, 60_000, continueOn).join().refusal().code())
                    .isEqualTo("SOLDOUT");
            assertThat(store.stockAsync(sku, continueOn).join()).contains(new Stock(2, 0, 2, 0)).isEqualTo(store.stock(sku));
            assertThat(store.stockAsync(unique("nope"), continueOn).join()).isEmpty();
            assertThat(store.circuitBreaker().getMetrics().getNumberOfFailedCalls()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aStoreThatCannotAnswerFailsTheFutureAndCountsAgainstTheBreaker(Transport transport) throws Exception {
        StoreNode closing = StoreNode.start(StoreConfig.defaults().withPort(0)
                .withDataDir(Files.createTempDirectory("gateway-closed")));
        String uri = "redis://127.0.0.1:" + closing.port();
        CircuitBreaker breaker = CircuitBreaker.ofDefaults("closed-" + transport);
        StoreGateway store = transport == Transport.RESP
                ? StoreGateway.overResp(List.of(RedisURI.create(uri)), Duration.ofSeconds(2), breaker, new SimpleMeterRegistry())
                : StoreGateway.inProcess(new LocalClient(closing), uri, Duration.ofSeconds(2), breaker, new SimpleMeterRegistry());
        closing.close();
        try (store) {
            Throwable failure = catchThrowable(() -> store.reserveAsync("sku", 1, unique("o"), "hal", null, 60_000,
                    Runnable::run).join());
            assertThat(failure).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(StoreUnavailableException.class);
            assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        }
    }
}
