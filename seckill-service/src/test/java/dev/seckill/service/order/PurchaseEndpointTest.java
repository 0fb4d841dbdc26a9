package dev.seckill.service.order;

import static dev.seckill.service.TestPlatform.ADMIN_TOKEN;
import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpRequest;

/**
 * Plain purchases are answered by {@link PurchaseEndpoint} ahead of Spring MVC; every answer it
 * gives must be the one {@link OrderController} gives. A request that accepts JSON with a
 * q-value is not plain (the endpoint leaves content negotiation to Spring), so sending the same
 * purchase with and without one compares the two paths, over real HTTP.
 */
@ExtendWith(SharedPlatform.class)
class PurchaseEndpointTest {
    /** Accepted by Spring as JSON, but left to it by the lean endpoint. */
    private static final String VIA_SPRING = "application/json;q=1";

    private final TestPlatform platform;

    PurchaseEndpointTest(TestPlatform platform) {
        this.platform = platform;
    }

    private String sale(String extra) {
        String id = unique("lean");
        Answer a = platform.createSale("{\"id\":\"" + id + "\",\"sku\":\"" + id + "\"" + extra + "}");
        assertThat(a.status()).as("create %s: %s", id, a).isEqualTo(201);
        return id;
    }

    private Answer buy(String sale, String key, String body, boolean viaSpring) {
        HttpRequest.Builder b = platform.request("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        if (viaSpring) {
            b.header("Accept", VIA_SPRING);
        }
        return platform.send(b.build());
    }

    private static String body(String user, int quantity) {
        return "{\"userId\":\"" + user + "\",\"quantity\":" + quantity + "}";
    }

    /** Same status, content type, Location, Retry-After and JSON body. */
    private static void assertSameAnswer(Answer lean, Answer spring) {
        assertThat(lean.status()).as("status: lean %s, spring %s", lean, spring).isEqualTo(spring.status());
        for (String h : new String[] {"Content-Type", "Location", "Retry-After", "WWW-Authenticate"}) {
            assertThat(lean.header(h)).as(h).isEqualTo(spring.header(h));
        }
        assertThat(lean.json()).as("body").isNotNull().isEqualTo(spring.json());
    }

    @Test
    void aPlainPurchaseTakesTheLeanPathAndAnswersAsSpringDoes() {
        String sale = sale(",\"stock\":10,\"perUserLimit\":2");
        Answer lean = buy(sale, "k1", body("alice", 1), false);
        assertThat(lean.status()).as(lean.toString()).isEqualTo(201);
        assertThat(lean.header("Content-Type")).isEqualTo("application/json");
        assertThat(lean.header("Location")).isEqualTo("/api/v1/orders/" + lean.text("orderId"));
        // the lean path writes the whole answer at once; Spring's Jackson converter streams it
        assertThat(lean.header("Content-Length")).as("answered by the lean path").isNotNull();

        Answer springReplay = buy(sale, "k1", body("alice", 1), true);
        assertThat(springReplay.header("Content-Length")).as("answered by Spring MVC").isNull();
        assertSameAnswer(lean, springReplay);

        Answer spring = buy(sale, "k2", body("bob", 2), true);
        assertThat(spring.status()).isEqualTo(201);
        assertSameAnswer(buy(sale, "k2", "{ \"quantity\" : 2, \"userId\" : \"bob\" }", false), spring);
        assertThat(platform.stock(sale)).containsExactly(10, 7, 3, 0);
    }

    @Test
    void refusalsAreTheSameOnBothPaths() {
        String sale = sale(",\"stock\":3,\"perUserLimit\":2");
        assertThat(buy(sale, "a", body("alice", 1), false).status()).isEqualTo(201);
        String later = sale(",\"stock\":3,\"startsAt\":\"2099-01-01T00:00:00Z\"");
        String[][] cases = {
                // sale, key, body, expected status
                {sale, "a", body("alice", 2), "422"},         // IDEMPOTENCY_KEY_REUSED
                {sale, "b", body("alice", 2), "403"},         // PURCHASE_LIMIT, held 1
                {sale, "c", body("carol", 3), "403"},         // PURCHASE_LIMIT, over the limit at once
                {sale, null, body("dave", 1), "400"},         // no Idempotency-Key
                {sale, "k".repeat(129), body("dave", 1), "400"},
                {later, "d", body("dave", 1), "409"},         // SALE_NOT_ACTIVE
                {unique("none"), "d", body("dave", 1), "404"}, // SALE_NOT_FOUND
                {"x".repeat(129), "d", body("dave", 1), "400"}, // saleId too long
        };
        for (String[] c : cases) {
            Answer lean = buy(c[0], c[1], c[2], false);
            assertThat(lean.status()).as("%s %s: %s", c[1], c[2], lean).isEqualTo(Integer.parseInt(c[3]));
            assertThat(lean.header("Content-Type")).isEqualTo("application/problem+json");
            assertSameAnswer(lean, buy(c[0], c[1], c[2], true));
        }
        assertThat(buy(sale, "e", body("erin", 2), false).status()).isEqualTo(201);
        Answer soldOut = buy(sale, "f", body("frank", 1), false);
        assertThat(soldOut.code()).isEqualTo("SOLD_OUT");
        assertSameAnswer(soldOut, buy(sale, "f", body("frank", 1), true));
        assertThat(platform.stock(sale)).containsExactly(3, 0, 3, 0);
    }

    @Test
    void badBodiesGoOnToSpringAndAnswerAsBefore() {
        String sale = sale(",\"stock\":5");
        String[][] cases = {
                {"{\"userId\":\"u\",\"quantity\":0}", "INVALID_REQUEST", "quantity"},
                {"{\"userId\":\"u\",\"quantity\":1.5}", "INVALID_REQUEST", "quantity"},
                {"{\"userId\":\"a b\",\"quantity\":1}", "INVALID_REQUEST", "userId"},
                {"{\"quantity\":1}", "INVALID_REQUEST", "userId"},
                {"{\"userId\":\"u\",\"quantity\":1,\"price\":0}", "INVALID_REQUEST", "price"},
                {"{\"userId\":\"u\",\"quantity\":01}", "MALFORMED_JSON", "body"},
                {"{\"userId\":", "MALFORMED_JSON", "body"},
                {"", "MALFORMED_JSON", "body"},
                // both answered 500 and 201 before Jackson was told to refuse them
                {"{\"userId\":\"u\",\"userId\":\"v\",\"quantity\":1}", "MALFORMED_JSON", "body"},
                {"{\"userId\":\"u\",\"quantity\":1} trailing", "MALFORMED_JSON", "body"},
                {"{\"userId\":\"u\",\"quantity\":1}{}", "MALFORMED_JSON", "body"},
        };
        for (String[] c : cases) {
            Answer lean = buy(sale, "k", c[0], false);
            assertThat(lean.status()).as(c[0]).isEqualTo(400);
            assertThat(lean.code()).as(c[0]).isEqualTo(c[1]);
            assertThat(lean.text("field")).as(c[0]).isEqualTo(c[2]);
            assertSameAnswer(lean, buy(sale, "k", c[0], true));
        }
        // escapes are valid JSON: Spring reads them, and the purchase goes through
        Answer escaped = buy(sale, "k", "{\"userId\":\"\\u0061lice\",\"quantity\":1}", false);
        assertThat(escaped.status()).as(escaped.toString()).isEqualTo(201);
        assertThat(escaped.text("userId")).isEqualTo("alice");
        assertThat(platform.stock(sale)).containsExactly(5, 4, 1, 0);
    }

    @Test
    void tokensContentTypesAndAcceptAreCheckedAsBefore() {
        String sale = sale(",\"stock\":5");
        String path = "/api/v1/sales/" + sale + "/orders";
        Answer none = platform.post(path, null, body("u", 1), "Idempotency-Key", "k");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(platform.post(path, "not-a-token", body("u", 1), "Idempotency-Key", "k").status()).isEqualTo(401);
        // buying needs the service role; the admin token may do what the service token may
        Answer admin = platform.post(path, ADMIN_TOKEN, body("admin-buyer", 1), "Idempotency-Key", "k");
        assertThat(admin.status()).as(admin.toString()).isEqualTo(201);

        Answer text = platform.send(platform.request(path, SERVICE_TOKEN).header("Content-Type", "text/plain")
                .header("Idempotency-Key", "k2").POST(HttpRequest.BodyPublishers.ofString(body("u", 1))).build());
        assertThat(text.status()).isEqualTo(415);
        assertThat(text.code()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        Answer html = platform.send(platform.request(path, SERVICE_TOKEN).header("Content-Type", "application/json")
                .header("Accept", "text/html").header("Idempotency-Key", "k2")
                .POST(HttpRequest.BodyPublishers.ofString(body("u", 1))).build());
        assertThat(html.status()).isEqualTo(406);
        Answer jmeterLike = platform.send(platform.request(path, SERVICE_TOKEN)
                .header("Content-Type", "application/json; charset=UTF-8")
                .header("Accept", "application/json, application/problem+json").header("Idempotency-Key", "k3")
                .POST(HttpRequest.BodyPublishers.ofString(body("v", 1))).build());
        assertThat(jmeterLike.status()).isEqualTo(201);
        assertThat(jmeterLike.header("Content-Length")).as("answered by the lean path").isNotNull();
        assertThat(platform.stock(sale)).containsExactly(5, 3, 2, 0);
    }

    @Test
    void leanPurchasesAreCountedAndTimed() {
        String sale = sale(",\"stock\":1");
        MeterRegistry meters = platform.bean(MeterRegistry.class);
        assertThat(buy(sale, "k1", body("u1", 1), false).status()).isEqualTo(201);
        assertThat(buy(sale, "k2", body("u2", 1), false).status()).isEqualTo(409);
        assertThat(buy(sale, "k1", body("u1", 1), false).status()).isEqualTo(201);
        for (String outcome : new String[] {"created", "sold_out", "replayed"}) {
            Counter c = meters.find("seckill.orders").tag("sale", sale).tag("outcome", outcome).counter();
            assertThat(c).as(outcome).isNotNull();
            assertThat(c.count()).as(outcome).isEqualTo(1.0);
        }
        Timer created = meters.find("seckill.purchase.latency").tag("outcome", "created").timer();
        assertThat(created).isNotNull();
        assertThat(created.count()).isPositive();
    }
}
