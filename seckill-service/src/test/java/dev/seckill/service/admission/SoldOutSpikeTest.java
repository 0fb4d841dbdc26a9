package dev.seckill.service.admission;

import static dev.seckill.service.TestPlatform.ADMIN_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A spike of a hundred times the stock: once the sale is sold out, buyers are turned away by the
 * local flag, so the store sees almost none of them; a restock opens the sale again at once.
 */
@ExtendWith(SharedPlatform.class)
class SoldOutSpikeTest {
    private final TestPlatform platform;

    SoldOutSpikeTest(TestPlatform platform) {
        this.platform = platform;
    }

    @Test
    void aSpikeOnASoldOutSaleCostsTheStoreAlmostNothing() throws Exception {
        String sale = unique("spike");
        assertThat(platform.createSale("{\"id\":\"" + sale + "\",\"sku\":\"" + sale + "\",\"stock\":5}").status())
                .isEqualTo(201);
        for (int i = 0; i < 5; i++) {
            assertThat(platform.buy(sale, "k", "early-" + i, 1).status()).isEqualTo(201);
        }
        assertThat(platform.buy(sale, "k", "first-late", 1).code()).as("the store says sold out").isEqualTo("SOLD_OUT");

        long reservesBefore = storeReserves();
        long rejectsBefore = soldOutRejects();
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Future<Answer>> spike = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String user = "late-" + i;
            spike.add(pool.submit(() -> platform.buy(sale, "k", user, 1)));
        }
        for (Future<Answer> f : spike) {
            Answer a = f.get(60, TimeUnit.SECONDS);
            assertThat(a.status()).as(a.toString()).isEqualTo(409);
            assertThat(a.code()).isEqualTo("SOLD_OUT");
        }
        pool.shutdown();

        assertThat(soldOutRejects() - rejectsBefore).as("turned away here").isGreaterThanOrEqualTo(450);
        assertThat(storeReserves() - reservesBefore).as("INV.RESERVE sent for 500 buyers").isLessThanOrEqualTo(10);

        // a restock clears the flag: the next buyer reaches the store and buys
        Answer restock = platform.post("/api/v1/sales/" + sale + "/restock", ADMIN_TOKEN, "{\"delta\":3}");
        assertThat(restock.status()).isEqualTo(200);
        assertThat(restock.number("/stock/available")).isEqualTo(3);
        assertThat(platform.buy(sale, "k2", "after-restock", 1).status()).isEqualTo(201);
        assertThat(platform.stock(sale)).containsExactly(8, 2, 6, 0);
    }

    private long storeReserves() {
        Timer t = platform.bean(MeterRegistry.class).find("seckill.store.roundtrip").tag("command", "INV.RESERVE").timer();
        return t == null ? 0 : t.count();
    }

    private long soldOutRejects() {
        var c = platform.bean(MeterRegistry.class).find("seckill.admission.rejects").tag("reason", "sold_out").counter();
        return c == null ? 0 : (long) c.count();
    }
}
