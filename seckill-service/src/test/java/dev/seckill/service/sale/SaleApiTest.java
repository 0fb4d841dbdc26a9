package dev.seckill.service.sale;

import static dev.seckill.service.TestPlatform.ADMIN_TOKEN;
import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sales on the embedded platform (H2): create, conflicts, list and get with live stock, restock. */
@ExtendWith(SharedPlatform.class)
class SaleApiTest {
    private final TestPlatform platform;

    SaleApiTest(TestPlatform platform) {
        this.platform = platform;
    }

    @Test
    void aSaleIsCreatedOnceWithItsSkuInTheStore() {
        String id = unique("phone");
        Answer created = platform.createSale("{\"id\":\"" + id + "\",\"sku\":\"" + id + "-sku\",\"stock\":25,"
                + "\"startsAt\":\"2026-01-01T00:00:00Z\",\"perUserLimit\":2,\"reservationTtl\":\"PT90S\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/sales/" + id);
        assertThat(created.text("startsAt")).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(created.json().has("endsAt")).as("no end").isFalse();
        assertThat(created.text("reservationTtl")).isEqualTo("PT1M30S");
        assertThat(created.number("/stock/total")).isEqualTo(25);

        Answer again = platform.createSale("{\"id\":\"" + id + "\",\"sku\":\"other-" + id + "\",\"stock\":1}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("SALE_EXISTS");
        Answer sameSku = platform.createSale("{\"id\":\"other-" + id + "\",\"sku\":\"" + id + "-sku\",\"stock\":1}");
        assertThat(sameSku.status()).isEqualTo(409);
        assertThat(sameSku.code()).isEqualTo("SKU_IN_USE");
        assertThat(platform.get("/api/v1/sales/other-" + id, ADMIN_TOKEN).status()).as("nothing half-made").isEqualTo(404);
        assertThat(platform.stock(id)).as("the store's SKU untouched").containsExactly(25, 25, 0, 0);
    }

    @Test
    void listAndGetShowLiveStockAndRestockAddsUnits() {
        String id = unique("listed");
        assertThat(platform.createSale("{\"id\":\"" + id + "\",\"sku\":\"" + id + "\",\"stock\":4}").status()).isEqualTo(201);
        assertThat(platform.buy(id, "k", "alice", 3).status()).isEqualTo(201);

        Answer list = platform.get("/api/v1/sales", SERVICE_TOKEN);
        assertThat(list.status()).isEqualTo(200);
        JsonNode mine = null;
        for (JsonNode s : list.json()) {
            if (s.get("id").asText().equals(id)) {
                mine = s;
            }
        }
        assertThat(mine).as("listed").isNotNull();
        assertThat(mine.at("/stock/available").asLong()).isEqualTo(1);
        assertThat(mine.at("/stock/reserved").asLong()).isEqualTo(3);
        assertThat(mine.get("status").asText()).isEqualTo("ACTIVE");

        Answer restocked = platform.post("/api/v1/sales/" + id + "/restock", ADMIN_TOKEN, "{\"delta\":6}");
        assertThat(restocked.status()).isEqualTo(200);
        assertThat(restocked.number("units")).isEqualTo(10);
        assertThat(platform.stock(id)).containsExactly(10, 7, 3, 0);
        Answer withdrawn = platform.post("/api/v1/sales/" + id + "/restock", ADMIN_TOKEN, "{\"delta\":-2}");
        assertThat(withdrawn.status()).isEqualTo(200);
        assertThat(platform.stock(id)).containsExactly(8, 5, 3, 0);
        assertThat(platform.post("/api/v1/sales/no-such/restock", ADMIN_TOKEN, "{\"delta\":1}").code())
                .isEqualTo("SALE_NOT_FOUND");

        // with an Idempotency-Key a retried restock adds once
        String path = "/api/v1/sales/" + id + "/restock";
        Answer keyed = platform.post(path, ADMIN_TOKEN, "{\"delta\":4}", "Idempotency-Key", "restock-1");
        assertThat(keyed.status()).isEqualTo(200);
        assertThat(keyed.number("units")).isEqualTo(12);
        Answer retried = platform.post(path, ADMIN_TOKEN, "{\"delta\":4}", "Idempotency-Key", "restock-1");
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.number("units")).isEqualTo(12);
        assertThat(platform.stock(id)).containsExactly(12, 9, 3, 0);
        assertThat(platform.post(path, ADMIN_TOKEN, "{\"delta\":4}", "Idempotency-Key", "restock-2").number("units"))
                .as("another key is another restock").isEqualTo(16);
        assertThat(platform.post(path, ADMIN_TOKEN, "{\"delta\":4}", "Idempotency-Key", "bad key").code())
                .isEqualTo("INVALID_REQUEST");
        assertThat(platform.stock(id)).containsExactly(16, 13, 3, 0);
    }
}
