package dev.seckill.store.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Jedis, unmodified, talks to the store: typed counter calls, and INV commands through sendCommand. */
class JedisClientTest {
    @TempDir
    static Path dataDir;
    static TestStore store;

    /** An INV command as Jedis sends any command it does not know: by name. */
    enum Inv implements ProtocolCommand {
        CREATE("INV.CREATE"), RESERVE("INV.RESERVE"), GET("INV.GET"), CONFIRM("INV.CONFIRM");

        private final byte[] raw;

        Inv(String name) {
            raw = name.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] getRaw() {
            return raw;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        store = TestStore.start(dataDir);
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    private Jedis jedis() {
        return new Jedis("127.0.0.1", store.node().port());
    }

    @Test
    void countersThroughTheTypedApi() {
        try (Jedis j = jedis()) {
            String key = TestStore.unique("jedis-views");
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.incr(key)).isEqualTo(1);
            assertThat(j.incrBy(key, 41)).isEqualTo(42);
            assertThat(j.get(key)).isEqualTo("42");
            assertThat(j.set(key, "7")).isEqualTo("OK");
            assertThat(j.decr(key)).isEqualTo(6);
            assertThat(j.exists(key)).isTrue();
            assertThat(j.del(key)).isEqualTo(1);
            assertThatThrownBy(() -> j.set(key, "seven"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR value is not an integer or out of range");
        }
    }

    @Test
    void inventoryThroughSendCommand() {
        try (Jedis j = jedis()) {
            String sku = TestStore.unique("jedis-sku");
            assertThat(j.sendCommand(Inv.CREATE, sku, "3")).isEqualTo("OK".getBytes(StandardCharsets.US_ASCII));
            assertThat(j.sendCommand(Inv.RESERVE, sku, "2", sku + "-r1", "USER", "ann", "LIMIT", "2")).isEqualTo(1L);
            assertThat(j.sendCommand(Inv.RESERVE, sku, "2", sku + "-r1", "USER", "ann", "LIMIT", "2"))
                    .as("a retry answers what the first call got").isEqualTo(1L);
            assertThatThrownBy(() -> j.sendCommand(Inv.RESERVE, sku, "2", sku + "-r2"))
                    .isInstanceOf(JedisDataException.class).hasMessage("INSUFFICIENT 1");
            assertThat(j.sendCommand(Inv.CONFIRM, sku + "-r1")).isEqualTo("OK".getBytes(StandardCharsets.US_ASCII));
            @SuppressWarnings("unchecked")
            List<Object> stock = (List<Object>) j.sendCommand(Inv.GET, sku);
            assertThat(stock).hasSize(8);
            assertThat(new String((byte[]) stock.get(0), StandardCharsets.US_ASCII)).isEqualTo("total");
            assertThat(stock.get(1)).isEqualTo(3L);
            assertThat(stock.get(3)).isEqualTo(1L); // available
            assertThat(stock.get(7)).isEqualTo(2L); // sold
        }
    }

    @Test
    void pipelinedReservationsNeverOversell() {
        try (Jedis j = jedis()) {
            String sku = TestStore.unique("jedis-hot");
            j.sendCommand(Inv.CREATE, sku, "50");
            Pipeline p = j.pipelined();
            List<Response<Object>> answers = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                answers.add(p.sendCommand(Inv.RESERVE, sku, "1", sku + "-" + i));
            }
            p.sync();
            long granted = 0;
            long soldOut = 0;
            for (int i = 0; i < answers.size(); i++) {
                try {
                    Object a = answers.get(i).get();
                    assertThat(a).as("answer %d", i).isEqualTo(49L - i);
                    granted++;
                } catch (JedisDataException e) {
                    assertThat(e.getMessage()).isEqualTo("SOLDOUT");
                    soldOut++;
                }
            }
            assertThat(granted).isEqualTo(50);
            assertThat(soldOut).isEqualTo(30);
        }
    }
}
