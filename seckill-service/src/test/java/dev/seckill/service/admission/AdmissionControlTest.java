package dev.seckill.service.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.seckill.service.api.ApiException;
import dev.seckill.service.api.RequestIds;
import dev.seckill.service.store.StoreGateway;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;

/**
 * The admission rules on their own, without HTTP: the stock-aware gate, the sold-out flag and
 * what clears it, the bulkhead. The gateway points at a port nobody listens on, so a poll of a
 * sold-out sale finds the store unavailable and keeps the flag.
 */
class AdmissionControlTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final StoreGateway store;

    AdmissionControlTest() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        store = StoreGateway.overResp(java.util.List.of(RedisURI.create("redis://127.0.0.1:" + closedPort)), Duration.ofMillis(500),
                CircuitBreaker.ofDefaults("test"), meters);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private AdmissionControl admission(int inFlightPerUnit, int minInFlight, int maxStoreCalls) {
        return new AdmissionControl(new AdmissionSettings(1_000_000, 1_000_000, inFlightPerUnit, minInFlight, maxStoreCalls,
                Duration.ofMillis(1), Duration.ofSeconds(1)), store, Clock.systemUTC(), meters);
    }

    private static ApiException refusal(Runnable call) {
        ApiException e = catchThrowableOfType(call::run, ApiException.class);
        assertThat(e).as("refused").isNotNull();
        return e;
    }

    private double rejects(String reason) {
        var c = meters.find("seckill.admission.rejects").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void noMoreBuyersInFlightThanTheGateAllows() {
        AdmissionControl a = admission(2, 1, 100);
        a.reserved("s", 2); // the store said 2 units remain: 4 buyers may be in flight
        var tickets = new java.util.ArrayList<AdmissionControl.Ticket>();
        for (int i = 0; i < 4; i++) {
            tickets.add(a.admit("s", "sku", "u" + i, "o-" + (i + 1)));
        }
        ApiException fifth = refusal(() -> a.admit("s", "sku", "u5", "o-5"));
        assertThat(fifth.status().value()).isEqualTo(429);
        assertThat(fifth.code()).isEqualTo("THROTTLED");
        assertThat(fifth.retryAfterSeconds()).isEqualTo(1L);
        assertThat(rejects("stock_gate")).isEqualTo(1);

        a.release(tickets.get(0));
        a.release(tickets.get(0)); // twice: frees one place only
        AdmissionControl.Ticket next = a.admit("s", "sku", "u5", "o-5");
        assertThat(refusal(() -> a.admit("s", "sku", "u6", "o-6")).code()).isEqualTo("THROTTLED");
        a.release(next);
        assertThat(a.admit("other-sale", "sku2", "u7", "o-7")).as("another sale has its own gate").isNotNull();
    }

    @Test
    void buyersCountAsArrivingForAMomentAfterAPurchaseIsLetThroughNotAfterARefusal() throws Exception {
        AdmissionControl a = admission(2, 1, 100);
        assertThat(a.buyersArriving()).as("nobody bought yet").isFalse();
        a.soldOut("gone");
        refusal(() -> a.admit("gone", "sku", "u1", "o-1"));
        assertThat(a.buyersArriving()).as("a sold-out answer is no purchase").isFalse();

        a.release(a.admit("s", "sku", "u2", "o-2"));
        assertThat(a.buyersArriving()).isTrue();
        Thread.sleep(80);
        assertThat(a.buyersArriving()).as("50 ms after the last one").isFalse();
    }

    @Test
    void aSoldOutSaleAnswersSoldOutBeforeAnyRateLimitCounts() {
        AdmissionControl a = new AdmissionControl(new AdmissionSettings(1_000_000, 1, 2, 8, 100,
                Duration.ofMillis(1), Duration.ofSeconds(1)), store, Clock.systemUTC(), meters);
        a.soldOut("gone");
        for (int i = 0; i < 3; i++) {
            assertThat(refusal(() -> a.admit("gone", "sku", "same-user", "o-x")).code()).isEqualTo("SOLD_OUT");
        }
        assertThat(rejects("user_rate")).as("refusals of a sold-out sale use no user's allowance").isZero();
        a.release(a.admit("open", "sku", "same-user", "o-1"));
        assertThat(refusal(() -> a.admit("open", "sku", "same-user", "o-2")).code()).isEqualTo("THROTTLED");
        assertThat(rejects("user_rate")).isEqualTo(1);
    }

    @Test
    void theSoldOutFlagTurnsBuyersAwayUntilStockComesBack() {
        AdmissionControl a = admission(2, 8, 100);
        a.release(a.admit("s", "sku", "u1", "o-1"));
        a.reserved("s", 0);
        a.soldOut("s");
        ApiException e = refusal(() -> a.admit("s", "sku", "u2", "o-2"));
        assertThat(e.status().value()).isEqualTo(409);
        assertThat(e.code()).isEqualTo("SOLD_OUT");
        assertThat(a.believedSoldOut("s")).isTrue();
        // a poll finds the store unavailable: still sold out
        assertThat(refusal(() -> a.admit("s", "sku", "u2", "o-2")).code()).isEqualTo("SOLD_OUT");
        // the replay of an order made here passes (the store answers it with its first answer)
        a.release(a.admit("s", "sku", "u1", "o-1"));

        a.stockChanged("s", 5); // restock
        assertThat(a.believedSoldOut("s")).isFalse();
        a.release(a.admit("s", "sku", "u2", "o-2"));

        a.soldOut("s");
        a.unitsReturned("s"); // a cancel
        a.release(a.admit("s", "sku", "u3", "o-3"));
        assertThat(rejects("sold_out")).isEqualTo(2);
    }

    @Test
    void aReplayOfAnOrderLetThroughPassesTheSoldOutFlagWhateverItsFirstAnswer() {
        AdmissionControl a = admission(2, 8, 100);
        AdmissionControl.Ticket first = a.admit("s", "sku", "u1", "o-1"); // still waiting on the store
        a.release(a.admit("s", "sku", "u2", "o-2"));
        a.insufficient("s", 0); // o-2 was refused: too few units
        a.soldOut("s"); // another buyer heard SOLDOUT
        // both replays go to the store, which answers them as it answered first (or will)
        a.release(a.admit("s", "sku", "u1", "o-1"));
        a.release(a.admit("s", "sku", "u2", "o-2"));
        a.release(first);
        assertThat(refusal(() -> a.admit("s", "sku", "u3", "o-3")).code()).as("a new buyer").isEqualTo("SOLD_OUT");
        // an order the flag turned away was never sent: its replay hears SOLD_OUT again, as first
        assertThat(refusal(() -> a.admit("s", "sku", "u3", "o-3")).code()).isEqualTo("SOLD_OUT");
    }

    @Test
    void ordersSentToTheStoreAreRememberedForAtLeastAGeneration() {
        int generation = 10_000;
        OrdersSentToStore sent = new OrdersSentToStore(generation);
        for (int i = 0; i < 2 * generation - 1; i++) { // the first generation full, the second nearly
            sent.add("o-" + i);
        }
        for (int i = 0; i < 2 * generation - 1; i++) {
            assertThat(sent.contains("o-" + i)).as("o-" + i).isTrue(); // a Bloom filter never forgets
        }
        sent.add("o-last"); // the second is full: the first is forgotten
        sent.add("o-next");
        int stillClaimed = 0;
        for (int i = 0; i < generation; i++) {
            stillClaimed += sent.contains("o-" + i) ? 1 : 0;
        }
        assertThat(stillClaimed).as("forgotten ids still claimed (false positives)").isLessThan(generation / 50);
        for (int i = generation; i < 2 * generation - 1; i++) {
            assertThat(sent.contains("o-" + i)).isTrue();
        }
        assertThat(sent.contains("o-last")).isTrue();
        assertThat(sent.contains("o-next")).isTrue();
    }

    @Test
    void ordersNeverSentAreRarelyClaimed() {
        int generation = 50_000;
        OrdersSentToStore sent = new OrdersSentToStore(generation);
        for (int i = 0; i < 2 * generation - 1; i++) { // both generations full: the worst case
            sent.add(RequestIds.derive("o-", "sale", "u" + i, "key-" + i));
        }
        int claimed = 0;
        int asked = 100_000;
        for (int i = 0; i < asked; i++) {
            claimed += sent.contains(RequestIds.derive("o-", "sale", "other" + i, "key-" + i)) ? 1 : 0;
        }
        // two full filters of ~0.8% each: about 1.6% of new buyers ask the store instead of the flag
        assertThat(claimed).as("false positives of %d", asked).isBetween(1, asked / 40);
    }

    @Test
    void theBulkheadBoundsCallsWaitingOnTheStore() {
        AdmissionControl a = admission(1000, 1000, 2);
        a.admit("s1", "a", "u1", "o-1");
        a.admit("s2", "b", "u2", "o-2");
        ApiException e = refusal(() -> a.admit("s3", "c", "u3", "o-3"));
        assertThat(e.status().value()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("UNAVAILABLE");
        assertThat(e.retryAfterSeconds()).isEqualTo(1L);
        assertThat(rejects("bulkhead")).isEqualTo(1);
    }
}
