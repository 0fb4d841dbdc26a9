package dev.seckill.service;

import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.TestPlatform.Answer;
import dev.seckill.service.admission.AdmissionControl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Sales (in the RDS) and orders (in the store) survive a restart of the application: the second
 * start reads the same H2 file and replays the same store log.
 */
class RestartTest {

    @Test
    void salesAndOrdersSurviveARestart(@TempDir Path dir) {
        String reserved;
        String confirmed;
        Answer firstAnswer;
        try (TestPlatform before = TestPlatform.start(dir)) {
            assertThat(before.createSale("{\"id\":\"launch\",\"sku\":\"phone-x\",\"stock\":5,\"perUserLimit\":3,"
                    + "\"reservationTtl\":\"PT10M\"}").status()).isEqualTo(201);
            firstAnswer = before.buy("launch", "k1", "alice", 2);
            assertThat(firstAnswer.status()).isEqualTo(201);
            reserved = firstAnswer.text("orderId");
            confirmed = before.buy("launch", "k2", "bob", 1).text("orderId");
            assertThat(before.post("/api/v1/orders/" + confirmed + "/confirm", SERVICE_TOKEN, null).status()).isEqualTo(200);
            assertThat(before.stock("launch")).containsExactly(5, 2, 2, 1);
        }

        try (TestPlatform after = TestPlatform.start(dir)) {
            Answer sales = after.get("/api/v1/sales", SERVICE_TOKEN);
            assertThat(sales.json().size()).isEqualTo(1);
            assertThat(sales.json().get(0).get("id").asText()).isEqualTo("launch");
            assertThat(sales.json().get(0).get("perUserLimit").asInt()).isEqualTo(3);
            assertThat(sales.json().get(0).get("reservationTtl").asText()).isEqualTo("PT10M");
            assertThat(after.stock("launch")).containsExactly(5, 2, 2, 1);

            assertThat(after.get("/api/v1/orders/" + reserved, SERVICE_TOKEN).text("status")).isEqualTo("RESERVED");
            assertThat(after.get("/api/v1/orders/" + confirmed, SERVICE_TOKEN).text("status")).isEqualTo("CONFIRMED");

            Answer replay = after.buy("launch", "k1", "alice", 2);
            assertThat(replay.status()).isEqualTo(201);
            assertThat(replay.raw().body()).as("the same answer after a restart").isEqualTo(firstAnswer.raw().body());
            assertThat(after.buy("launch", "k3", "alice", 2).code()).as("the limit remembers what alice holds")
                    .isEqualTo("PURCHASE_LIMIT");

            assertThat(after.post("/api/v1/orders/" + reserved + "/confirm", SERVICE_TOKEN, null).status()).isEqualTo(200);
            assertThat(after.buy("launch", "k4", "carol", 2).status()).isEqualTo(201);
            assertThat(after.stock("launch")).containsExactly(5, 0, 2, 3);
        }
    }

    @Test
    void aReplayAfterARestartHearsItsFirstAnswerThoughTheSaleIsSoldOut(@TempDir Path dir) {
        Answer alicesFirst;
        try (TestPlatform before = TestPlatform.start(dir)) {
            assertThat(before.createSale("{\"id\":\"gone\",\"sku\":\"gone-sku\",\"stock\":2,\"perUserLimit\":2,"
                    + "\"reservationTtl\":\"PT10M\"}").status()).isEqualTo(201);
            alicesFirst = before.buy("gone", "k1", "alice", 1);
            assertThat(alicesFirst.status()).isEqualTo(201);
            assertThat(before.buy("gone", "k2", "bob", 1).status()).isEqualTo(201);
        } // shut down gracefully: the sync finishes its batch, and the RDS has both orders

        try (TestPlatform after = TestPlatform.start(dir)) {
            AdmissionControl admission = after.bean(AdmissionControl.class);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(admission::pastOrdersKnown);
            assertThat(after.buy("gone", "k3", "carol", 1).code()).as("the store says so, and the flag is set")
                    .isEqualTo("SOLD_OUT");
            assertThat(admission.believedSoldOut("gone")).isTrue();
            double refusedByTheFlag = soldOutRejects(after);

            Answer replay = after.buy("gone", "k1", "alice", 1);
            assertThat(replay.status()).as("alice's retry, across the restart").isEqualTo(201);
            assertThat(replay.raw().body()).isEqualTo(alicesFirst.raw().body());

            assertThat(after.buy("gone", "k4", "dave", 1).code()).isEqualTo("SOLD_OUT");
            assertThat(soldOutRejects(after)).as("dave was turned away by the flag, without the store")
                    .isEqualTo(refusedByTheFlag + 1);
        }
    }

    private static double soldOutRejects(TestPlatform p) {
        Counter c = p.bean(MeterRegistry.class).find("seckill.admission.rejects").tag("reason", "sold_out").counter();
        return c == null ? 0 : c.count();
    }
}
