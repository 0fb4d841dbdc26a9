package dev.seckill.store.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.store.StoreConfig;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.server.StoreNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * In-process calls answer as RESP clients are answered, share the same book (a RESP client sees
 * what a local one did), and refuse bad input before the log.
 */
class LocalClientTest {

    private static Reply answer(LocalClient client, String... words) throws Exception {
        return client.send(words).get(30, TimeUnit.SECONDS);
    }

    @Test
    void commandsGoThroughTheSameLogAndBook(@TempDir Path dir) throws Exception {
        try (StoreNode node = StoreNode.start(StoreConfig.defaults().withPort(0).withDataDir(dir))) {
            LocalClient client = new LocalClient(node);
            assertThat(answer(client, "INV.CREATE", "phone", "3")).isEqualTo(Reply.OK);
            assertThat(answer(client, "INV.RESERVE", "phone", "2", "order-1", "USER", "alice", "LIMIT", "2"))
                    .isEqualTo(new Reply.Int(1));
            assertThat(answer(client, "inv.reserve", "phone", "2", "order-1", "USER", "alice", "LIMIT", "2"))
                    .as("a retry gets the first answer").isEqualTo(new Reply.Int(1));
            assertThat(answer(client, "INV.RESERVE", "phone", "2", "order-2")).isEqualTo(Reply.error("INSUFFICIENT 1"));
            assertThat(answer(client, "INV.RESERVATION", "nope")).isEqualTo(Reply.NULL);
            assertThat(answer(client, "INCR", "views")).isEqualTo(new Reply.Int(1));

            RedisClient resp = RedisClient.create("redis://127.0.0.1:" + node.port());
            try (StatefulRedisConnection<String, String> c = resp.connect()) {
                assertThat(c.sync().incr("views")).as("RESP sees the same store").isEqualTo(2);
            } finally {
                resp.shutdown();
            }
            Reply stock = answer(client, "INV.GET", "phone");
            assertThat(stock).isInstanceOf(Reply.MapReply.class);
            // bulk strings hold byte arrays (no value equality): compare them as text
            assertThat(((Reply.MapReply) stock).keysAndValues().stream()
                    .map(r -> r instanceof Reply.Bulk b ? b.text() : r).toList()).containsExactly(
                    "total", new Reply.Int(3), "available", new Reply.Int(1),
                    "reserved", new Reply.Int(2), "sold", new Reply.Int(0));
        }
    }

    @Test
    void badInputAndConnectionCommandsAreAnsweredAtOnce(@TempDir Path dir) throws Exception {
        StoreNode node = StoreNode.start(StoreConfig.defaults().withPort(0).withDataDir(dir));
        LocalClient client = new LocalClient(node);
        try {
            long entries = node.pipeline().entries();
            assertThat(client.send("INV.RESERVE", "phone", "many", "order-1")).isCompletedWithValue(
                    Reply.error("ERR value is not an integer or out of range"));
            assertThat(client.send("HELLO", "3")).isCompletedWithValue(Reply.error("ERR unknown command 'HELLO', with args beginning with: '3' "));
            assertThat(client.send("PING")).isCompletedWithValue(Reply.PONG);
            Reply info = client.send("INFO", "replication").get();
            assertThat(((Reply.Bulk) info).text()).contains("role:master");
            assertThat(node.pipeline().entries()).as("nothing of it reached the log").isEqualTo(entries);
        } finally {
            node.close();
        }
        assertThat(client.send("PING")).as("after close").isCompletedWithValue(
                Reply.error("TRYAGAIN the store is shutting down"));
    }
}
