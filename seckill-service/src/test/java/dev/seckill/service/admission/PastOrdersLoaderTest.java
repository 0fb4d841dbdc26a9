package dev.seckill.service.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A sale's orders are read at every sell-out, in the middle of the rush: the read must go through
 * an index, not over every order the RDS holds (OtherInstanceReplayTest shows what it is for).
 */
@ExtendWith(SharedPlatform.class)
class PastOrdersLoaderTest {

    @Test
    void aSoldOutSalesOrdersAreReadThroughAnIndex(TestPlatform p) {
        String plan = p.bean(JdbcTemplate.class).queryForObject(
                "EXPLAIN " + PastOrdersLoader.SALE_ORDERS.replace("?", "'any-sale'"), String.class);
        assertThat(plan).as("the H2 plan").containsIgnoringCase("IX_RESERVATION_SKU_STATUS")
                .doesNotContainIgnoringCase("tableScan");
    }
}
