package dev.seckill.service.order;

import static dev.seckill.service.TestPlatform.ADMIN_TOKEN;
import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;

/** The purchase contract through real HTTP on the embedded platform: buy, replay, limits, windows, confirm, cancel, expiry. */
@ExtendWith(SharedPlatform.class)
class PurchaseTest {
    private final TestPlatform platform;

    PurchaseTest(TestPlatform platform) {
        this.platform = platform;
    }

    private String sale(long stock, String extra) {
        String id = unique("sale");
        Answer a = platform.createSale("{\"id\":\"" + id + "\",\"sku\":\"" + id + "-sku\",\"stock\":" + stock + extra + "}");
        assertThat(a.status()).as("create %s: %s", id, a).isEqualTo(201);
        return id;
    }

    @Test
    void aPurchaseReservesUnitsAndAnswersTheOrder() {
        String sale = sale(10, ",\"reservationTtl\":\"PT10M\"");
        Instant before = Instant.now();
        Answer a = platform.buy(sale, "key-1", "alice", 3);

        assertThat(a.status()).isEqualTo(201);
        assertThat(a.header("Content-Type")).startsWith("application/json");
        assertThat(a.text("status")).isEqualTo("RESERVED");
        assertThat(a.text("saleId")).isEqualTo(sale);
        assertThat(a.text("userId")).isEqualTo("alice");
        assertThat(a.number("quantity")).isEqualTo(3);
        String orderId = a.text("orderId");
        assertThat(a.header("Location")).isEqualTo("/api/v1/orders/" + orderId);
        Instant expiresAt = Instant.parse(a.text("expiresAt"));
        assertThat(expiresAt).isBetween(before.plus(Duration.ofMinutes(10)).minusSeconds(5),
                Instant.now().plus(Duration.ofMinutes(10)).plusSeconds(5));
        assertThat(platform.stock(sale)).containsExactly(10, 7, 3, 0);

        Answer order = platform.get("/api/v1/orders/" + orderId, SERVICE_TOKEN);
        assertThat(order.status()).isEqualTo(200);
        assertThat(order.text("status")).isEqualTo("RESERVED");
        assertThat(order.text("expiresAt")).isEqualTo(a.text("expiresAt"));
    }

    @Test
    void theSameIdempotencyKeyReplayedGetsTheSameStatusAndBody() {
        String sale = sale(2, "");
        Answer first = platform.buy(sale, "retry-me", "bob", 2);
        assertThat(first.status()).isEqualTo(201);
        // sold out now: the replay still gets its order back, not SOLD_OUT
        assertThat(platform.buy(sale, "other", "carol", 1).code()).isEqualTo("SOLD_OUT");
        Answer replay = platform.buy(sale, "retry-me", "bob", 2);
        assertThat(replay.status()).isEqualTo(201);
        assertThat(replay.raw().body()).isEqualTo(first.raw().body());
        assertThat(replay.header("Location")).isEqualTo(first.header("Location"));
        assertThat(platform.stock(sale)).as("nothing taken twice").containsExactly(2, 0, 2, 0);

        // and after the order moved on, the purchase's answer is still the first one
        assertThat(platform.post("/api/v1/orders/" + first.text("orderId") + "/confirm", SERVICE_TOKEN, null).status())
                .isEqualTo(200);
        Answer later = platform.buy(sale, "retry-me", "bob", 2);
        assertThat(later.status()).isEqualTo(201);
        assertThat(later.raw().body()).isEqualTo(first.raw().body());
    }

    @Test
    void aRefusalReplayedGetsTheSameRefusal() {
        String sale = sale(3, "");
        Answer first = platform.buy(sale, "too-many", "dave", 5);
        assertThat(first.status()).isEqualTo(409);
        assertThat(first.code()).isEqualTo("INSUFFICIENT_STOCK");
        assertThat(first.number("available")).isEqualTo(3);
        Answer replay = platform.buy(sale, "too-many", "dave", 5);
        assertThat(replay.status()).isEqualTo(409);
        assertThat(replay.raw().body()).isEqualTo(first.raw().body());

        // also once the sale sold out: the local sold-out flag does not answer for the store
        assertThat(platform.buy(sale, "all-of-it", "erin", 3).status()).isEqualTo(201);
        assertThat(platform.buy(sale, "one-more", "frank", 1).code()).isEqualTo("SOLD_OUT");
        Answer afterSoldOut = platform.buy(sale, "too-many", "dave", 5);
        assertThat(afterSoldOut.status()).isEqualTo(409);
        assertThat(afterSoldOut.raw().body()).isEqualTo(first.raw().body());
    }

    @Test
    void theSameKeyFromAnotherUserIsAnotherOrderAndWithOtherParametersIsRefused() {
        String sale = sale(10, "");
        Answer alice = platform.buy(sale, "shared-key", "alice", 1);
        Answer bob = platform.buy(sale, "shared-key", "bob", 1);
        assertThat(alice.status()).isEqualTo(201);
        assertThat(bob.status()).isEqualTo(201);
        assertThat(bob.text("orderId")).isNotEqualTo(alice.text("orderId"));
        assertThat(bob.text("userId")).isEqualTo("bob");

        Answer changed = platform.buy(sale, "shared-key", "alice", 2);
        assertThat(changed.status()).isEqualTo(422);
        assertThat(changed.code()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(platform.stock(sale)).containsExactly(10, 8, 2, 0);
    }

    @Test
    void aUserCannotHoldMoreThanThePerUserLimit() {
        String sale = sale(100, ",\"perUserLimit\":2");
        assertThat(platform.buy(sale, "k1", "erin", 1).status()).isEqualTo(201);
        assertThat(platform.buy(sale, "k2", "erin", 1).status()).isEqualTo(201);
        Answer third = platform.buy(sale, "k3", "erin", 1);
        assertThat(third.status()).isEqualTo(403);
        assertThat(third.code()).isEqualTo("PURCHASE_LIMIT");
        assertThat(third.number("held")).isEqualTo(2);
        Answer tooBig = platform.buy(sale, "k4", "frank", 3);
        assertThat(tooBig.status()).isEqualTo(403);
        assertThat(tooBig.code()).isEqualTo("PURCHASE_LIMIT");
        assertThat(platform.buy(sale, "k5", "frank", 2).status()).isEqualTo(201);
        assertThat(platform.stock(sale)).containsExactly(100, 96, 4, 0);
    }

    @Test
    void purchasesOutsideTheWindowAreRefused() {
        Instant now = Instant.now();
        String later = sale(5, ",\"startsAt\":\"" + now.plusSeconds(3600) + "\"");
        Answer early = platform.buy(later, "k", "gina", 1);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.code()).isEqualTo("SALE_NOT_ACTIVE");

        String shortSale = sale(5, ",\"startsAt\":\"" + now.minusSeconds(10) + "\",\"endsAt\":\"" + now.plusSeconds(1) + "\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(now.plusSeconds(1)));
        Answer late = platform.buy(shortSale, "k", "gina", 1);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.code()).isEqualTo("SALE_NOT_ACTIVE");
        assertThat(platform.get("/api/v1/sales/" + shortSale, SERVICE_TOKEN).text("status")).isEqualTo("ENDED");
        assertThat(platform.stock(later)).containsExactly(5, 5, 0, 0);
    }

    @Test
    void confirmAndCancelFollowTheOrderLifecycle() {
        String sale = sale(10, "");
        String a = platform.buy(sale, "a", "hank", 2).text("orderId");
        String b = platform.buy(sale, "b", "hank", 3).text("orderId");

        Answer confirmed = platform.post("/api/v1/orders/" + a + "/confirm", SERVICE_TOKEN, null);
        assertThat(confirmed.status()).isEqualTo(200);
        assertThat(confirmed.text("status")).isEqualTo("CONFIRMED");
        assertThat(platform.post("/api/v1/orders/" + a + "/confirm", SERVICE_TOKEN, null).status())
                .as("confirming again is fine").isEqualTo(200);
        Answer cancelConfirmed = platform.post("/api/v1/orders/" + a + "/cancel", SERVICE_TOKEN, null);
        assertThat(cancelConfirmed.status()).isEqualTo(409);
        assertThat(cancelConfirmed.code()).isEqualTo("ORDER_CONFIRMED");

        Answer cancelled = platform.post("/api/v1/orders/" + b + "/cancel", SERVICE_TOKEN, null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.text("status")).isEqualTo("CANCELLED");
        Answer confirmCancelled = platform.post("/api/v1/orders/" + b + "/confirm", SERVICE_TOKEN, null);
        assertThat(confirmCancelled.status()).isEqualTo(409);
        assertThat(confirmCancelled.code()).isEqualTo("ORDER_CANCELLED");

        assertThat(platform.stock(sale)).as("2 sold, 3 back on sale").containsExactly(10, 8, 0, 2);
        assertThat(platform.get("/api/v1/orders/" + b, SERVICE_TOKEN).text("status")).isEqualTo("CANCELLED");
    }

    @Test
    void anExpiredReservationReleasesItsUnitsAndCannotBeConfirmed() {
        String sale = sale(1, ",\"reservationTtl\":\"PT1S\"");
        Answer bought = platform.buy(sale, "slow", "ivan", 1);
        assertThat(bought.status()).isEqualTo(201);
        assertThat(platform.buy(sale, "next", "judy", 1).code()).isEqualTo("SOLD_OUT");

        String order = bought.text("orderId");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(platform.get("/api/v1/orders/" + order, SERVICE_TOKEN).text("status")).isEqualTo("EXPIRED"));
        assertThat(platform.stock(sale)).containsExactly(1, 1, 0, 0);

        Answer late = platform.post("/api/v1/orders/" + order + "/confirm", SERVICE_TOKEN, null);
        assertThat(late.status()).isEqualTo(410);
        assertThat(late.code()).isEqualTo("EXPIRED");
        assertThat(platform.post("/api/v1/orders/" + order + "/cancel", SERVICE_TOKEN, null).status()).isEqualTo(410);

        // the sold-out flag does not outlive the expiry: the unit sells again
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() ->
                platform.buy(sale, "again", "judy", 1).status() == 201);
        assertThat(platform.stock(sale)).containsExactly(1, 0, 1, 0);
    }

    @Test
    void unknownOrdersAndSalesAre404() {
        Answer order = platform.get("/api/v1/orders/o-AAAAAAAAAAAAAAAAAAAAAA", SERVICE_TOKEN);
        assertThat(order.status()).isEqualTo(404);
        assertThat(order.code()).isEqualTo("ORDER_NOT_FOUND");
        assertThat(platform.get("/api/v1/orders/not-an-order", SERVICE_TOKEN).status()).isEqualTo(404);
        assertThat(platform.post("/api/v1/orders/o-AAAAAAAAAAAAAAAAAAAAAA/confirm", SERVICE_TOKEN, null).status())
                .isEqualTo(404);
        Answer buy = platform.buy("no-such-sale", "k", "kim", 1);
        assertThat(buy.status()).isEqualTo(404);
        assertThat(buy.code()).isEqualTo("SALE_NOT_FOUND");
        assertThat(platform.get("/api/v1/sales/no-such-sale", ADMIN_TOKEN).status()).isEqualTo(404);
    }

    @Test
    void purchasesAreMeasuredByTheServicesOwnMetersNotByHttpServerRequests() {
        String sale = sale(5, "");
        assertThat(platform.buy(sale, "metered", "gina", 1).status()).isEqualTo(201);
        assertThat(platform.get("/api/v1/sales/" + sale, SERVICE_TOKEN).status()).isEqualTo(200);
        MeterRegistry meters = platform.bean(MeterRegistry.class);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                meters.find("http.server.requests").tag("uri", "/api/v1/sales/{id}").timer() != null);
        assertThat(meters.find("http.server.requests").tag("uri", "/api/v1/sales/{saleId}/orders").timer())
                .as("no per-request HTTP timer for purchases").isNull();
        assertThat(meters.find("seckill.orders").tag("outcome", "created").tag("sale", sale).counter().count())
                .isEqualTo(1);
    }
}
