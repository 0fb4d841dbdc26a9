package dev.seckill.sync;

import dev.seckill.store.StoreConfig;
import dev.seckill.store.server.StoreNode;
import dev.seckill.sync.feed.StoreClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;

import java.util.List;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real counter-store started in-process on a free port, a {@link StoreClient} on it for the test's
 * reads, and the sale commands the sync's client does not need (confirm, cancel, reserve-all).
 */
public final class TestStore implements AutoCloseable {
    private final StoreNode node;
    private final StoreClient client;
    private final RedisClient sales;
    private final StatefulRedisConnection<String, String> salesConnection;

    private TestStore(StoreNode node) {
        this.node = node;
        this.client = StoreClient.connect(uri());
        this.sales = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(node.port())
                .withTimeout(Duration.ofSeconds(10)).build());
        sales.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
        this.salesConnection = sales.connect();
    }

    public static TestStore start(Path dataDir) throws IOException, InterruptedException {
        return new TestStore(StoreNode.start(StoreConfig.defaults().withPort(0).withDataDir(dataDir)));
    }

    public String uri() {
        return "redis://127.0.0.1:" + node.port();
    }

    public int port() {
        return node.port();
    }

    public StoreClient client() {
        return client;
    }

    /** The store's last change-feed sequence. */
    public long lastSeq() {
        return client.changes(Long.MAX_VALUE - 1, 1).lastSeq();
    }

    /** Waits until {@code sync} has written everything the store has (60 s at most). */
    public void awaitCaughtUp(InventorySync sync) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            long last = lastSeq();
            SyncStatus s = sync.status();
            return s.appliedSeq() == last && s.lagChanges() == 0;
        });
    }

    public void confirm(String reqId) {
        call("INV.CONFIRM", reqId);
    }

    public void cancel(String reqId) {
        call("INV.CANCEL", reqId);
    }

    /** {@code INV.RESERVEALL reqId [TTL ms] ITEMS sku qty ...}. */
    public void reserveAll(String reqId, long ttlMs, Object... items) {
        Object[] args = new Object[items.length + (ttlMs > 0 ? 4 : 2)];
        int i = 0;
        args[i++] = reqId;
        if (ttlMs > 0) {
            args[i++] = "TTL";
            args[i++] = ttlMs;
        }
        args[i++] = "ITEMS";
        System.arraycopy(items, 0, args, i, items.length);
        call("INV.RESERVEALL", args);
    }

    /** Any command; refusals ({@code -SOLDOUT} ...) come back as their error line instead of an exception. */
    public String call(String command, Object... arguments) {
        CommandArgs<String, String> a = new CommandArgs<>(StringCodec.UTF8);
        for (Object o : arguments) {
            if (o instanceof Number n) {
                a.add(n.longValue());
            } else {
                a.add(String.valueOf(o));
            }
        }
        RedisCommands<String, String> redis = salesConnection.sync();
        try {
            List<Object> reply = redis.dispatch(keyword(command), new NestedMultiOutput<>(StringCodec.UTF8), a);
            return reply.size() == 1 ? String.valueOf(reply.get(0)) : String.valueOf(reply);
        } catch (RedisCommandExecutionException e) {
            return e.getMessage();
        }
    }

    private static ProtocolKeyword keyword(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        return new ProtocolKeyword() {
            @Override
            public byte[] getBytes() {
                return bytes;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    @Override
    public void close() {
        salesConnection.close();
        sales.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        client.close();
        node.close();
    }
}
