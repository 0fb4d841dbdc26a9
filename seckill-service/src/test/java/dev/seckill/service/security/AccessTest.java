package dev.seckill.service.security;

import static dev.seckill.service.TestPlatform.ADMIN_TOKEN;
import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bearer tokens: 401 without a valid one, 403 with the wrong role, and what needs none. */
@ExtendWith(SharedPlatform.class)
class AccessTest {
    private final TestPlatform platform;

    AccessTest(TestPlatform platform) {
        this.platform = platform;
    }

    @Test
    void callsWithoutAValidTokenAre401WithAProblemBody() {
        for (String token : new String[] {null, "wrong-token", ""}) {
            Answer a = platform.get("/api/v1/sales", token);
            assertThat(a.status()).as("token %s", token).isEqualTo(401);
            assertThat(a.header("Content-Type")).startsWith("application/problem+json");
            assertThat(a.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(a.code()).isEqualTo("UNAUTHENTICATED");
            assertThat(a.number("status")).isEqualTo(401);
        }
        Answer basic = platform.send(platform.request("/api/v1/sales", null)
                .header("Authorization", "Basic dXNlcjpwYXNz").GET().build());
        assertThat(basic.status()).isEqualTo(401);
    }

    @Test
    void theServiceTokenMayNotManageSales() {
        String id = unique("guarded");
        Answer create = platform.post("/api/v1/sales", SERVICE_TOKEN, "{\"id\":\"" + id + "\",\"sku\":\"" + id + "\",\"stock\":1}");
        assertThat(create.status()).isEqualTo(403);
        assertThat(create.code()).isEqualTo("FORBIDDEN");
        assertThat(platform.get("/api/v1/sales/" + id, ADMIN_TOKEN).status()).as("nothing created").isEqualTo(404);

        assertThat(platform.createSale("{\"id\":\"" + id + "\",\"sku\":\"" + id + "\",\"stock\":1}").status()).isEqualTo(201);
        Answer restock = platform.post("/api/v1/sales/" + id + "/restock", SERVICE_TOKEN, "{\"delta\":5}");
        assertThat(restock.status()).isEqualTo(403);
        assertThat(platform.stock(id)).containsExactly(1, 1, 0, 0);
        assertThat(platform.post("/api/v1/sales/" + id + "/restock", null, "{\"delta\":5}").status()).isEqualTo(401);
    }

    @Test
    void theServiceTokenBuysAndReadsAndTheAdminTokenMayDoEverything() {
        String id = unique("open");
        assertThat(platform.createSale("{\"id\":\"" + id + "\",\"sku\":\"" + id + "\",\"stock\":5}").status()).isEqualTo(201);
        assertThat(platform.get("/api/v1/sales", SERVICE_TOKEN).status()).isEqualTo(200);
        assertThat(platform.buy(id, "k", "u1", 1).status()).isEqualTo(201);
        Answer adminBuys = platform.post("/api/v1/sales/" + id + "/orders", ADMIN_TOKEN,
                "{\"userId\":\"u2\",\"quantity\":1}", "Idempotency-Key", "k");
        assertThat(adminBuys.status()).isEqualTo(201);
    }

    @Test
    void healthAndTheApiDocumentNeedNoTokenButMetricsNeedTheAdminToken() {
        Answer health = platform.get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().at("/components/store/status").asText()).isEqualTo("UP");
        assertThat(health.json().at("/components/db/status").asText()).isEqualTo("UP");

        Answer docs = platform.get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().at("/paths").has("/api/v1/sales/{saleId}/orders")).isTrue();
        assertThat(docs.json().at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
        assertThat(docs.json().at("/paths/~1api~1v1~1sales~1{saleId}~1orders/post/responses/503/content")
                .has("application/problem+json")).isTrue();
        boolean keyRequired = false;
        for (var p : docs.json().at("/paths/~1api~1v1~1sales~1{saleId}~1orders/post/parameters")) {
            keyRequired |= p.get("name").asText().equals("Idempotency-Key") && p.get("required").asBoolean();
        }
        assertThat(keyRequired).as("Idempotency-Key documented as required").isTrue();
        assertThat(platform.get("/swagger-ui/index.html", null).status()).isEqualTo(200);

        assertThat(platform.get("/actuator/prometheus", null).status()).isEqualTo(401);
        assertThat(platform.get("/actuator/prometheus", SERVICE_TOKEN).status()).isEqualTo(403);
        Answer prom = platform.get("/actuator/prometheus", ADMIN_TOKEN);
        assertThat(prom.status()).isEqualTo(200);
        assertThat(prom.raw().body()).contains("seckill_store_roundtrip_seconds");
    }
}
