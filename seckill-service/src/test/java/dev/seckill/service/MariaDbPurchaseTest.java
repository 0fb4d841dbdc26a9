package dev.seckill.service;

import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seckill.service.TestPlatform.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The purchase flow with a real MariaDB as the RDS (through HikariCP and the MariaDB driver), in a
 * throwaway database of its own. Needs the server on 127.0.0.1:3306 (root, no password; override
 * with -Dseckill.test.mariadb.url/user/password) and fails if it does not answer.
 */
class MariaDbPurchaseTest {
    private static final String SERVER = System.getProperty("seckill.test.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/");
    private static final String USER = System.getProperty("seckill.test.mariadb.user", "root");
    private static final String PASSWORD = System.getProperty("seckill.test.mariadb.password", "");

    private final String database = "seckill_service_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeEach
    void createDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database + " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin");
        }
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database);
        }
    }

    @Test
    void buyersOnMariaDb(@TempDir Path dir) throws Exception {
        try (TestPlatform platform = TestPlatform.start(dir,
                "spring.datasource.url=" + SERVER + database,
                "spring.datasource.username=" + USER,
                "spring.datasource.password=" + PASSWORD)) {
            Answer health = platform.get("/actuator/health", null);
            assertThat(health.json().at("/components/db/details/database").asText()).containsIgnoringCase("maria");

            assertThat(platform.createSale("{\"id\":\"maria-sale\",\"sku\":\"maria-sku\",\"stock\":10,"
                    + "\"perUserLimit\":1,\"reservationTtl\":\"PT5M\"}").status()).isEqualTo(201);
            assertThat(platform.createSale("{\"id\":\"maria-sale\",\"sku\":\"other\",\"stock\":1}").code())
                    .isEqualTo("SALE_EXISTS");
            assertThat(platform.createSale("{\"id\":\"other-sale\",\"sku\":\"maria-sku\",\"stock\":1}").code())
                    .isEqualTo("SKU_IN_USE");

            ExecutorService pool = Executors.newFixedThreadPool(40);
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String user = "m-" + i;
                answers.add(pool.submit(() -> {
                    Answer a;
                    do {
                        a = platform.buy("maria-sale", "k", user, 1);
                    } while (a.status() == 429 || a.status() == 503);
                    return a;
                }));
            }
            List<String> orders = new ArrayList<>();
            for (Future<Answer> f : answers) {
                Answer a = f.get(60, TimeUnit.SECONDS);
                if (a.status() == 201) {
                    orders.add(a.text("orderId"));
                } else {
                    assertThat(a.code()).isIn("SOLD_OUT", "INSUFFICIENT_STOCK");
                }
            }
            pool.shutdown();
            assertThat(orders).hasSize(10);
            assertThat(platform.post("/api/v1/orders/" + orders.get(0) + "/confirm", SERVICE_TOKEN, null).status())
                    .isEqualTo(200);
            assertThat(platform.post("/api/v1/sales/maria-sale/restock", TestPlatform.ADMIN_TOKEN, "{\"delta\":4}")
                    .status()).isEqualTo(200);
            assertThat(platform.stock("maria-sale")).containsExactly(14, 4, 9, 1);

            // the in-process sync writes the store's figures behind to MariaDB
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                try (Connection c = DriverManager.getConnection(SERVER + database, USER, PASSWORD);
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT total, available, reserved, sold FROM sku_inventory"
                             + " WHERE sku = 'maria-sku'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)})
                            .containsExactly(14, 4, 9, 1);
                }
            });
        }

        try (Connection c = DriverManager.getConnection(SERVER + database, USER, PASSWORD);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sku, units, per_user_limit, reservation_ttl_ms, status FROM sale"
                     + " WHERE sale_id = 'maria-sale'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("sku")).isEqualTo("maria-sku");
            assertThat(rs.getLong("units")).as("10 at creation + 4 restocked").isEqualTo(14);
            assertThat(rs.getInt("per_user_limit")).isEqualTo(1);
            assertThat(rs.getLong("reservation_ttl_ms")).isEqualTo(300_000);
            assertThat(rs.getString("status")).isEqualTo("active");
            assertThat(rs.next()).as("one sale row").isFalse();
        }
    }
}
