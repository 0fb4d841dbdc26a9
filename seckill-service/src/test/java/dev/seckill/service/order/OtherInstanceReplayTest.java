package dev.seckill.service.order;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import dev.seckill.service.TestPlatform.Answer;
import dev.seckill.service.admission.AdmissionControl;
import dev.seckill.service.store.StoreGateway;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several instances behind a load balancer: a buyer's retry may reach another instance than the
 * purchase did. That instance never sent the order to the store, yet once the RDS has it the
 * retry must pass the sold-out flag and hear its first answer. The other instance is played by a
 * reservation sent straight to the store with the order id an instance would derive.
 */
@ExtendWith(SharedPlatform.class)
class OtherInstanceReplayTest {

    @Test
    void aReplayOfAnOrderMadeThroughAnotherInstancePassesTheSoldOutFlag(TestPlatform p) {
        String sale = TestPlatform.unique("other-instance");
        assertThat(p.createSale("{\"id\":\"" + sale + "\",\"sku\":\"" + sale + "-sku\",\"stock\":2,\"perUserLimit\":2,"
                + "\"reservationTtl\":\"PT10M\"}").status()).isEqualTo(201);
        String alicesOrder = OrderIds.of(sale, "alice", "k1");
        StoreGateway.ReserveResult elsewhere = p.bean(StoreGateway.class)
                .reserve(sale + "-sku", 1, alicesOrder, "alice", 2, Duration.ofMinutes(10).toMillis());
        assertThat(elsewhere.refusal()).as("alice bought through the other instance").isNull();

        assertThat(p.buy(sale, "k2", "bob", 1).status()).isEqualTo(201);
        assertThat(p.buy(sale, "k3", "carol", 1).code()).as("the store says so, and the flag goes up").isEqualTo("SOLD_OUT");
        assertThat(p.bean(AdmissionControl.class).believedSoldOut(sale)).isTrue();

        // once the sync has written alice's order, this instance reads it back (at once, and again 5 s later)
        AtomicReference<Answer> replay = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
            replay.set(p.buy(sale, "k1", "alice", 1));
            return replay.get().status() == 201;
        });
        assertThat(replay.get().text("orderId")).isEqualTo(alicesOrder);
        assertThat(replay.get().text("status")).isEqualTo("RESERVED");

        assertThat(p.buy(sale, "k4", "dave", 1).code()).as("a new buyer is still turned away").isEqualTo("SOLD_OUT");
        long[] stock = p.stock(sale);
        assertThat(stock).as("total, available, reserved, sold: alice's replay reserved nothing more")
                .containsExactly(2, 0, 2, 0);
    }
}
