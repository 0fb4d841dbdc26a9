package dev.seckill.service.order;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

/**
 * The quick reader of purchase bodies takes only plainly valid ones; everything else it leaves
 * (null) to Spring MVC, which words the refusal.
 */
class PurchaseBodyTest {

    private static BuyRequest read(String body) {
        return PurchaseBody.read(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsAPlainPurchaseInAnyOrderWithAnySpacing() {
        assertThat(read("{\"userId\":\"alice\",\"quantity\":1}")).isEqualTo(new BuyRequest("alice", 1));
        assertThat(read(" \r\n\t{ \"quantity\" :\n 12 ,\t\"userId\" : \"u-1.b_c~d:e\" } \n"))
                .isEqualTo(new BuyRequest("u-1.b_c~d:e", 12));
        assertThat(read("{\"userId\":\"" + "A".repeat(128) + "\",\"quantity\":1000000}"))
                .isEqualTo(new BuyRequest("A".repeat(128), 1_000_000));
    }

    @ParameterizedTest(name = "[{index}] <{0}>")
    @ValueSource(strings = {
            "", " ", "not json", "[1,2]", "{}", "{", "{\"userId\":", "{\"userId\":\"alice\",\"quantity\":1",
            "{\"userId\":\"alice\"}", "{\"quantity\":1}",
            // values the constraints refuse: Spring words them
            "{\"userId\":\"alice\",\"quantity\":0}", "{\"userId\":\"alice\",\"quantity\":-3}",
            "{\"userId\":\"alice\",\"quantity\":1000001}", "{\"userId\":\"alice\",\"quantity\":99999999999}",
            "{\"userId\":\"\",\"quantity\":1}", "{\"userId\":\"a b\",\"quantity\":1}",
            "{\"userId\":\"é\",\"quantity\":1}",
            // other JSON types and forms
            "{\"userId\":\"alice\",\"quantity\":1.5}", "{\"userId\":\"alice\",\"quantity\":1.0}",
            "{\"userId\":\"alice\",\"quantity\":1e3}", "{\"userId\":\"alice\",\"quantity\":01}",
            "{\"userId\":\"alice\",\"quantity\":\"2\"}", "{\"userId\":5,\"quantity\":1}",
            "{\"userId\":null,\"quantity\":1}", "{\"userId\":\"alice\",\"quantity\":null}",
            "{\"userId\":[\"alice\"],\"quantity\":1}", "{\"userId\":\"\\u0061lice\",\"quantity\":1}",
            "{\"user\\u0049d\":\"alice\",\"quantity\":1}", "{'userId':'alice','quantity':1}",
            // members: unknown, repeated, missing commas, trailing tokens
            "{\"userId\":\"alice\",\"quantity\":1,\"price\":0}", "{\"userId\":\"alice\",\"quantity\":1,\"userId\":\"bob\"}",
            "{\"userId\":\"alice\",\"quantity\":1,\"quantity\":2}", "{\"userId\":\"alice\" \"quantity\":1}",
            "{\"userId\":\"alice\",\"quantity\":1,}", "{\"userId\":\"alice\",\"quantity\":1} x",
            "{\"userId\":\"alice\",\"quantity\":1}{}",
    })
    void leavesEverythingElseToSpring(String body) {
        assertThat(read(body)).isNull();
    }

    @Test
    void leavesAnOverlongUserIdToSpring() {
        assertThat(read("{\"userId\":\"" + "A".repeat(129) + "\",\"quantity\":1}")).isNull();
    }
}
