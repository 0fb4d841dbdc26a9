package dev.seckill.service.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import dev.seckill.service.security.AccessTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A platform started with no tokens configured prints the dev tokens it generated, and they
 * work; a user over the per-user rate is answered 429 THROTTLED with Retry-After at once.
 */
@ExtendWith(OutputCaptureExtension.class)
class RateLimitAndDevTokensTest {

    @Test
    void generatedTokensAndThePerUserRate(@TempDir Path dir, CapturedOutput output) throws Exception {
        try (TestPlatform platform = TestPlatform.start(dir, "SECKILL_SERVICE_TOKEN=", "SECKILL_ADMIN_TOKEN=",
                "seckill.admission.user-rate=1")) {
            AccessTokens tokens = platform.bean(AccessTokens.class);
            assertThat(tokens.serviceToken()).isNotBlank().isNotEqualTo(TestPlatform.SERVICE_TOKEN);
            assertThat(output.getOut()).contains("service token  " + tokens.serviceToken())
                    .contains("admin token    " + tokens.adminToken())
                    .contains("http://localhost:" + platform.port() + "/api/v1/sales");

            assertThat(platform.post("/api/v1/sales", tokens.adminToken(),
                    "{\"id\":\"rated\",\"sku\":\"rated\",\"stock\":1000}").status()).isEqualTo(201);
            assertThat(platform.post("/api/v1/sales", tokens.serviceToken(),
                    "{\"id\":\"x\",\"sku\":\"x\",\"stock\":1}").status()).isEqualTo(403);

            // one user, twenty attempts at once: at most one a second gets through
            ExecutorService pool = Executors.newFixedThreadPool(20);
            List<Future<Answer>> attempts = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String key = "k" + i;
                attempts.add(pool.submit(() -> platform.buy(tokens.serviceToken(), "rated", key, "eager", 1)));
            }
            int created = 0;
            int throttled = 0;
            for (Future<Answer> f : attempts) {
                Answer a = f.get(60, TimeUnit.SECONDS);
                if (a.status() == 201) {
                    created++;
                } else {
                    assertThat(a.status()).as(a.toString()).isEqualTo(429);
                    assertThat(a.code()).isEqualTo("THROTTLED");
                    assertThat(a.header("Retry-After")).isEqualTo("1");
                    throttled++;
                }
            }
            pool.shutdown();
            assertThat(throttled).isGreaterThanOrEqualTo(15);
            assertThat(platform.get("/api/v1/sales/rated", tokens.serviceToken()).number("/stock/reserved"))
                    .as("reserved = the 201s").isEqualTo(created);
            assertThat(platform.buy(tokens.serviceToken(), "rated", "other", "patient", 1).status())
                    .as("another user is not held back").isEqualTo(201);
        }
    }
}
