package dev.seckill.service.sync;

import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The embedded platform runs the inventory sync: the RDS follows the store's stock and orders. */
@ExtendWith(SharedPlatform.class)
class WriteBehindTest {
    private final TestPlatform platform;

    WriteBehindTest(TestPlatform platform) {
        this.platform = platform;
    }

    @Test
    void stockAndOrdersReachTheRds() {
        String sale = unique("synced");
        assertThat(platform.createSale("{\"id\":\"" + sale + "\",\"sku\":\"" + sale + "-sku\",\"stock\":10}").status())
                .isEqualTo(201);
        String kept = platform.buy(sale, "a", "alice", 3).text("orderId");
        String dropped = platform.buy(sale, "b", "bob", 2).text("orderId");
        assertThat(platform.post("/api/v1/orders/" + kept + "/confirm", SERVICE_TOKEN, null).status()).isEqualTo(200);
        assertThat(platform.post("/api/v1/orders/" + dropped + "/cancel", SERVICE_TOKEN, null).status()).isEqualTo(200);

        JdbcTemplate rds = new JdbcTemplate(platform.bean(javax.sql.DataSource.class));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(rds.queryForList("SELECT total, available, reserved, sold FROM sku_inventory WHERE sku = ?",
                    sale + "-sku")).containsExactly(Map.of("total", 10L, "available", 7L, "reserved", 0L, "sold", 3L));
            List<Map<String, Object>> orders = rds.queryForList(
                    "SELECT request_id, user_id, quantity, status FROM reservation WHERE sku = ? ORDER BY user_id", sale + "-sku");
            assertThat(orders).containsExactly(
                    Map.of("request_id", kept, "user_id", "alice", "quantity", 3L, "status", "confirmed"),
                    Map.of("request_id", dropped, "user_id", "bob", "quantity", 2L, "status", "cancelled"));
        });
        assertThat(platform.get("/actuator/health", null).json().at("/components/sync/status").asText()).isEqualTo("UP");
    }
}
