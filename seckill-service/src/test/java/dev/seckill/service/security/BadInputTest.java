package dev.seckill.service.security;

import static dev.seckill.service.TestPlatform.ADMIN_TOKEN;
import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpRequest;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Flow;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Bad input gets 400 naming the field (413 when too big), as a problem body, and changes nothing. */
@ExtendWith(SharedPlatform.class)
class BadInputTest {
    private final TestPlatform platform;
    private String sale;

    BadInputTest(TestPlatform platform) {
        this.platform = platform;
    }

    @BeforeEach
    void sale() {
        sale = unique("strict");
        assertThat(platform.createSale("{\"id\":\"" + sale + "\",\"sku\":\"" + sale + "\",\"stock\":10}").status())
                .isEqualTo(201);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"userId\":\"u\",\"quantity\":0}             | quantity",
            "{\"userId\":\"u\",\"quantity\":-3}            | quantity",
            "{\"userId\":\"u\",\"quantity\":1.5}           | quantity",
            "{\"userId\":\"u\",\"quantity\":\"2\"}         | quantity",
            "{\"userId\":\"u\",\"quantity\":99999999999}   | quantity",
            "{\"userId\":\"u\"}                            | quantity",
            "{\"quantity\":1}                              | userId",
            "{\"userId\":\"\",\"quantity\":1}              | userId",
            "{\"userId\":\"a b\",\"quantity\":1}           | userId",
            "{\"userId\":5,\"quantity\":1}                 | userId",
            "{\"userId\":\"u\",\"quantity\":1,\"price\":0} | price",
    })
    void aBadPurchaseNamesTheField(String body, String field) {
        Answer a = platform.post("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN, body, "Idempotency-Key", "k");
        assertThat(a.status()).as(a.toString()).isEqualTo(400);
        assertThat(a.header("Content-Type")).startsWith("application/problem+json");
        assertThat(a.code()).isEqualTo("INVALID_REQUEST");
        assertThat(a.text("field")).isEqualTo(field);
        assertThat(a.text("detail")).startsWith(field + ": ");
        assertThat(platform.stock(sale)).containsExactly(10, 10, 0, 0);
    }

    @Test
    void theIdempotencyKeyIsRequired() {
        Answer a = platform.post("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN, "{\"userId\":\"u\",\"quantity\":1}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.text("field")).isEqualTo("Idempotency-Key");
        Answer tooLong = platform.post("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN,
                "{\"userId\":\"u\",\"quantity\":1}", "Idempotency-Key", "k".repeat(129));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.text("field")).isEqualTo("Idempotency-Key");
    }

    @Test
    void malformedJsonIs400() {
        double invalidBefore = invalidPurchases();
        for (String body : new String[] {"{\"userId\":", "not json", "[1,2]", ""}) {
            Answer a = platform.post("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN, body, "Idempotency-Key", "k");
            assertThat(a.status()).as("body %s: %s", body, a).isEqualTo(400);
            assertThat(a.header("Content-Type")).startsWith("application/problem+json");
            assertThat(a.code()).isIn("MALFORMED_JSON", "INVALID_REQUEST");
        }
        Answer xml = platform.send(platform.request("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN)
                .header("Content-Type", "application/xml").header("Idempotency-Key", "k")
                .POST(HttpRequest.BodyPublishers.ofString("<order/>")).build());
        assertThat(xml.status()).isEqualTo(415);
        assertThat(xml.code()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        assertThat(platform.stock(sale)).containsExactly(10, 10, 0, 0);
        assertThat(invalidPurchases() - invalidBefore).as("counted as invalid purchases").isGreaterThanOrEqualTo(4);
    }

    private double invalidPurchases() {
        return platform.bean(MeterRegistry.class).find("seckill.orders").tag("outcome", "invalid").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    @Test
    void anOversizeBodyIs413WhetherItsLengthIsDeclaredOrNot() {
        String big = "{\"userId\":\"u\",\"quantity\":1,\"pad\":\"" + "x".repeat(40_000) + "\"}";
        Answer declared = platform.post("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN, big, "Idempotency-Key", "k");
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.code()).isEqualTo("PAYLOAD_TOO_LARGE");

        // chunked: the JDK client sends a publisher of unknown length that way
        Answer chunked = platform.send(platform.request("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN)
                .header("Content-Type", "application/json").header("Idempotency-Key", "k")
                .POST(HttpRequest.BodyPublishers.fromPublisher(chunks(big))).build());
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunked.code()).isEqualTo("PAYLOAD_TOO_LARGE");

        Answer smallChunked = platform.send(platform.request("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN)
                .header("Content-Type", "application/json").header("Idempotency-Key", "small")
                .POST(HttpRequest.BodyPublishers.fromPublisher(chunks("{\"userId\":\"u\",\"quantity\":1}"))).build());
        assertThat(smallChunked.status()).as("a small chunked body is read: %s", smallChunked).isEqualTo(201);
        assertThat(platform.stock(sale)).containsExactly(10, 9, 1, 0);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"sku\":\"s\",\"stock\":1}                                                | id",
            "{\"id\":\"has space\",\"sku\":\"s\",\"stock\":1}                           | id",
            "{\"id\":\"ID\",\"stock\":1}                                                | sku",
            "{\"id\":\"ID\",\"sku\":\"s\",\"stock\":-1}                                 | stock",
            "{\"id\":\"ID\",\"sku\":\"s\"}                                              | stock",
            "{\"id\":\"ID\",\"sku\":\"s\",\"stock\":1,\"perUserLimit\":0}               | perUserLimit",
            "{\"id\":\"ID\",\"sku\":\"s\",\"stock\":1,\"startsAt\":\"tomorrow\"}        | startsAt",
            "{\"id\":\"ID\",\"sku\":\"s\",\"stock\":1,\"reservationTtl\":\"PT0S\"}      | reservationTtl",
            "{\"id\":\"ID\",\"sku\":\"s\",\"stock\":1,\"reservationTtl\":\"P30D\"}      | reservationTtl",
            "{\"id\":\"ID\",\"sku\":\"s\",\"stock\":1,\"reservationTtl\":\"15 minutes\"} | reservationTtl",
            "{\"id\":\"ID\",\"sku\":\"s\",\"stock\":1,\"startsAt\":\"2026-01-02T00:00:00Z\",\"endsAt\":\"2026-01-01T00:00:00Z\"} | endsAt",
    })
    void aBadSaleNamesTheFieldAndCreatesNothing(String body, String field) {
        String id = unique("bad");
        Answer a = platform.createSale(body.replace("\"ID\"", "\"" + id + "\""));
        assertThat(a.status()).as(a.toString()).isEqualTo(400);
        assertThat(a.text("field")).isEqualTo(field);
        assertThat(platform.get("/api/v1/sales/" + id, ADMIN_TOKEN).status()).isEqualTo(404);
    }

    @Test
    void aBadRestockNamesTheField() {
        for (String body : new String[] {"{\"delta\":0}", "{}", "{\"delta\":\"5\"}"}) {
            Answer a = platform.post("/api/v1/sales/" + sale + "/restock", ADMIN_TOKEN, body);
            assertThat(a.status()).as(body).isEqualTo(400);
            assertThat(a.text("field")).isEqualTo("delta");
        }
        Answer tooMuch = platform.post("/api/v1/sales/" + sale + "/restock", ADMIN_TOKEN, "{\"delta\":-11}");
        assertThat(tooMuch.status()).isEqualTo(409);
        assertThat(tooMuch.code()).isEqualTo("INSUFFICIENT_STOCK");
        assertThat(platform.stock(sale)).containsExactly(10, 10, 0, 0);
    }

    @Test
    void errorsCarryNoStackTracesAndUnknownPathsAreProblems() {
        Answer notFound = platform.get("/api/v1/nothing-here", SERVICE_TOKEN);
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.code()).isEqualTo("NOT_FOUND");
        Answer wrongMethod = platform.send(platform.request("/api/v1/sales/" + sale, ADMIN_TOKEN).DELETE().build());
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.code()).isEqualTo("METHOD_NOT_ALLOWED");
        Answer badId = platform.get("/api/v1/sales/" + "x".repeat(200), SERVICE_TOKEN);
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.text("field")).isEqualTo("id");
        for (Answer a : List.of(notFound, wrongMethod, badId)) {
            assertThat(a.raw().body()).doesNotContain("Exception", "\tat ", "trace");
        }
    }

    /** The body as a publisher of unknown length, in small pieces. */
    private static Flow.Publisher<ByteBuffer> chunks(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int offset;
            private boolean done;

            @Override
            public synchronized void request(long n) {
                for (long i = 0; i < n && !done; i++) {
                    if (offset >= bytes.length) {
                        done = true;
                        subscriber.onComplete();
                        return;
                    }
                    int len = Math.min(4096, bytes.length - offset);
                    int at = offset;
                    // moved on before onNext: the client may ask for more from inside onNext (the
                    // lock is reentrant), and would otherwise get the same chunk twice, a body
                    // with its first part doubled that Jackson, now strict, refuses
                    offset += len;
                    subscriber.onNext(ByteBuffer.wrap(bytes, at, len));
                }
            }

            @Override
            public void cancel() {
                done = true;
            }
        });
    }
}
