package dev.seckill.sync.feed;

import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's addresses as users write them: one node, a list, the short form, passwords; and bad ones. */
class StoreNodesTest {

    @Test
    void oneAddressIsAListOfOne() {
        List<RedisURI> nodes = StoreNodes.parse("redis://127.0.0.1:6380");
        assertThat(nodes).hasSize(1);
        assertThat(nodes.get(0).getHost()).isEqualTo("127.0.0.1");
        assertThat(nodes.get(0).getPort()).isEqualTo(6380);
        assertThat(nodes.get(0).getPassword()).isNull();
    }

    @Test
    void aListKeepsItsOrder() {
        List<RedisURI> nodes = StoreNodes.parse("redis://a:7001,redis://b:7002, redis://c:7003 ");
        assertThat(StoreNodes.describe(nodes)).isEqualTo("redis://a:7001,redis://b:7002,redis://c:7003");
    }

    @Test
    void theShortFormTakesTheFirstAddressesSchemeAndPassword() {
        List<RedisURI> nodes = StoreNodes.parse("redis://:s3cret@a:7001,b:7002,c:7003");
        assertThat(nodes).extracting(RedisURI::getHost).containsExactly("a", "b", "c");
        assertThat(nodes).extracting(RedisURI::getPort).containsExactly(7001, 7002, 7003);
        for (RedisURI n : nodes) {
            assertThat(new String(n.getPassword())).isEqualTo("s3cret");
        }
        assertThat(StoreNodes.describe(nodes)).as("no password in what is shown")
                .isEqualTo("redis://a:7001,redis://b:7002,redis://c:7003");
    }

    @Test
    void aPasswordFormStillWorksAlone() {
        RedisURI node = StoreNodes.parse("redis://:pw@127.0.0.1:6491").get(0);
        assertThat(new String(node.getPassword())).isEqualTo("pw");
        assertThat(node.getPort()).isEqualTo(6491);
    }

    @Test
    void eachFullAddressKeepsItsOwnPassword() {
        List<RedisURI> nodes = StoreNodes.parse("redis://:one@a:1,redis://b:2");
        assertThat(new String(nodes.get(0).getPassword())).isEqualTo("one");
        assertThat(nodes.get(1).getPassword()).isNull();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "''                                       | no store address",
            "'   '                                    | no store address",
            "'redis://a:7001,,redis://c:7003'         | store address 2 of 3 is empty",
            "'redis://a:7001,'                        | store address 2 of 2 is empty",
            "'http://a:7001'                          | store address 'http://a:7001' must look like redis://host:port",
            "'a:7001'                                 | store address 'a:7001' must look like redis://host:port",
            "'redis://a:7001,redis://b:70x2'          | store address 2 of 2 'redis://b:70x2'",
            "'redis://a:7001,b:99999'                 | store address 2 of 2 'b:99999' has a bad port '99999'",
            "'redis://a:7001,b'                       | store address 2 of 2 'b' must be host:port",
            "'redis://a:7001,redis://a:7001'          | names a:7001 again",
            "'redis://a:7001,a:7001'                  | names a:7001 again",
            "'redis://:7001'                          | has no host",
            "'redis://:pw@a:1,x@b:2'                  | store address 2 of 2 'x@b:2' must be host:port",
    })
    void badAddressesNameTheBadPart(String addresses, String message) {
        assertThatThrownBy(() -> StoreNodes.parse(addresses))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void errorsDoNotShowThePassword() {
        assertThatThrownBy(() -> StoreNodes.parse("redis://:s3cret@a:1,redis://:s3cret@b:x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis://***@b:x")
                .hasMessageNotContaining("s3cret");
    }
}
