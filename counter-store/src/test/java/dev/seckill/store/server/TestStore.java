package dev.seckill.store.server;

import dev.seckill.store.StoreConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store node started in-process on a free port, with a data dir the test owns (a {@code @TempDir}),
 * and the Lettuce clients connected to it. One per test class: starting a node takes a second or two.
 * Closing it closes every connection it handed out, then the node.
 */
final class TestStore implements AutoCloseable {
    private static final AtomicLong IDS = new AtomicLong();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final StoreNode node;
    private final ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    private final List<RedisClient> clients = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> connections = new CopyOnWriteArrayList<>();
    private StatefulRedisConnection<String, String> shared;

    private TestStore(StoreNode node) {
        this.node = node;
    }

    /** A node with the documented defaults, on a free port, keeping its log in {@code dataDir}. */
    static TestStore start(Path dataDir) throws IOException, InterruptedException {
        return start(config(dataDir));
    }

    static TestStore start(StoreConfig config) throws IOException, InterruptedException {
        return new TestStore(StoreNode.start(config));
    }

    static StoreConfig config(Path dataDir) {
        return StoreConfig.defaults().withPort(0).withDataDir(dataDir);
    }

    /** A name no other test of this JVM uses: {@code prefix-17}. */
    static String unique(String prefix) {
        return prefix + "-" + IDS.incrementAndGet();
    }

    StoreNode node() {
        return node;
    }

    int port() {
        return node.port();
    }

    /** {@code redis://127.0.0.1:<port>} without a password. */
    RedisURI uri() {
        return RedisURI.builder().withHost("127.0.0.1").withPort(port()).withTimeout(COMMAND_TIMEOUT).build();
    }

    /** The same with a password, sent as {@code AUTH} or {@code HELLO 3 AUTH default <password>}. */
    RedisURI uri(String password) {
        RedisURI uri = uri();
        uri.setPassword(password.toCharArray());
        return uri;
    }

    /** A new connection; Lettuce's default handshake (HELLO 3, so RESP3 with this store). */
    StatefulRedisConnection<String, String> connect() {
        return connect(uri(), null);
    }

    /** A new connection speaking {@code protocol} from the start. */
    StatefulRedisConnection<String, String> connect(ProtocolVersion protocol) {
        return connect(uri(), protocol);
    }

    StatefulRedisConnection<String, String> connect(RedisURI uri, ProtocolVersion protocol) {
        RedisClient client = RedisClient.create(resources, uri);
        ClientOptions.Builder options = ClientOptions.builder().autoReconnect(false);
        if (protocol != null) {
            options.protocolVersion(protocol);
        }
        client.setOptions(options.build());
        clients.add(client);
        StatefulRedisConnection<String, String> c = client.connect();
        connections.add(c);
        return c;
    }

    /** One connection the whole test class may share. */
    synchronized RedisCommands<String, String> redis() {
        if (shared == null) {
            shared = connect();
        }
        return shared.sync();
    }

    /** The inventory commands on the shared connection. */
    Inv inv() {
        redis();
        return new Inv(shared);
    }

    /** A raw socket to the node, for what no client library would send. */
    RespSocket socket() throws IOException {
        RespSocket s = new RespSocket(port());
        connections.add(s);
        return s;
    }

    /** {@code INFO section} as key -> value (all sections merged). */
    static Map<String, String> info(RedisCommands<String, String> redis, String section) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : redis.info(section).split("\r\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0) {
                m.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return m;
    }

    long infoLong(String section, String key) {
        String v = info(redis(), section).get(key);
        if (v == null) {
            throw new AssertionError("INFO " + section + " has no " + key);
        }
        return Long.parseLong(v);
    }

    @Override
    public void close() {
        for (AutoCloseable c : connections) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already closed by the test or by the server
            }
        }
        for (RedisClient c : clients) {
            c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
        node.close();
    }
}
