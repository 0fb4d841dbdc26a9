package dev.seckill.service.order;

import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hundreds of buyers on one SKU at once, one unit each, stock far below demand: reserved + sold
 * ends exactly at the stock and at the number of 201 answers.
 */
@ExtendWith(SharedPlatform.class)
class ConcurrentBuyersTest {
    private static final int BUYERS = 300;
    private static final int STOCK = 40;

    private final TestPlatform platform;

    ConcurrentBuyersTest(TestPlatform platform) {
        this.platform = platform;
    }

    @Test
    void hundredsOfBuyersNeverOversell() throws Exception {
        String sale = unique("rush");
        assertThat(platform.createSale("{\"id\":\"" + sale + "\",\"sku\":\"" + sale + "\",\"stock\":" + STOCK
                + ",\"perUserLimit\":2}").status()).isEqualTo(201);

        Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
        List<String> orders = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger units = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(BUYERS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < BUYERS; i++) {
                String user = "buyer-" + i;
                int qty = 1;
                running.add(pool.submit(() -> {
                    go.await();
                    Answer a = buyUntilAnswered(sale, user, qty);
                    answers.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
                    if (a.status() == 201) {
                        orders.add(a.text("orderId"));
                        units.addAndGet(qty);
                    } else {
                        assertThat(a.code()).as(a.toString()).isEqualTo("SOLD_OUT");
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        // confirm a third of them: sold + reserved must still add up
        for (int i = 0; i < orders.size(); i += 3) {
            assertThat(platform.post("/api/v1/orders/" + orders.get(i) + "/confirm", SERVICE_TOKEN, null).status())
                    .isEqualTo(200);
        }
        long[] stock = platform.stock(sale);
        assertThat(answers.keySet()).as("answers %s", answers).containsOnly(201, 409);
        assertThat(stock[0]).isEqualTo(STOCK);
        assertThat(stock[1]).as("available").isZero();
        assertThat(stock[2] + stock[3]).as("reserved + sold").isEqualTo(STOCK);
        assertThat(units.get()).as("units behind the 201 answers").isEqualTo(STOCK);
        assertThat(answers.get(201).get()).as("one unit each: the number of 201s").isEqualTo(STOCK);
        assertThat(orders).doesNotHaveDuplicates();
        long confirmedUnits = 0;
        for (String id : orders) {
            Answer o = platform.get("/api/v1/orders/" + id, SERVICE_TOKEN);
            if ("CONFIRMED".equals(o.text("status"))) {
                confirmedUnits += o.number("quantity");
            }
        }
        assertThat(stock[3]).as("sold = the confirmed orders' units").isEqualTo(confirmedUnits);
    }

    /** Buys, honouring 429 and 503 (come back later, same key) until a final answer. */
    private Answer buyUntilAnswered(String sale, String user, int qty) throws InterruptedException {
        for (int attempt = 0; attempt < 200; attempt++) {
            Answer a = platform.buy(sale, "k-" + user, user, qty);
            if (a.status() != 429 && a.status() != 503) {
                return a;
            }
            assertThat(a.header("Retry-After")).as("a %d says when to come back", a.status()).isNotNull();
            Thread.sleep(20 + (long) (Math.random() * 80)); // sooner than Retry-After, to keep the test short
        }
        throw new AssertionError("no final answer for " + user);
    }
}
