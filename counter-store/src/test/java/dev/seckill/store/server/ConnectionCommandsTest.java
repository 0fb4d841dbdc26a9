package dev.seckill.store.server;

import static dev.seckill.store.server.Inv.errorOf;
import static dev.seckill.store.server.TestStore.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.seckill.store.server.Inv.Stock;
import dev.seckill.store.server.RespSocket.Err;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The connection and server commands, answered without the log: what any Redis client needs to
 * connect, negotiate RESP2 or RESP3, name itself and authenticate, and what ops read in INFO.
 */
@Timeout(30)
class ConnectionCommandsTest {
    @TempDir
    static Path dataDir;
    static TestStore store;
    static RedisCommands<String, String> redis;

    @BeforeAll
    static void startNode() throws Exception {
        store = TestStore.start(dataDir);
        redis = store.redis();
    }

    @AfterAll
    static void stopNode() {
        store.close();
    }

    static Object call(RedisCommands<String, String> r, String command, Object... args) {
        return r.dispatch(Inv.keyword(command), new ReplyTree(), Inv.args(args));
    }

    @SuppressWarnings("unchecked")
    static Map<Object, Object> asMap(Object reply) {
        return (Map<Object, Object>) reply;
    }

    @Test
    void pingAnswersPongOrEchoesItsArgument() {
        assertThat(redis.ping()).isEqualTo("PONG");
        assertThat(call(redis, "PING", "hello")).isEqualTo("hello");
    }

    @Test
    void echoAnswersItsArgument() {
        assertThat(redis.echo("flash sale")).isEqualTo("flash sale");
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void lettuceWorksWithEitherProtocol(ProtocolVersion protocol) {
        StatefulRedisConnection<String, String> c = store.connect(protocol);
        Inv inv = new Inv(c);
        String sku = unique("proto-" + protocol);

        assertThat(inv.create(sku, 10)).isEqualTo("OK");
        assertThat(inv.reserve(sku, 2, unique("req"))).isEqualTo(8);
        assertThat(inv.get(sku)).isEqualTo(new Stock(10, 8, 2, 0));
        assertThat(c.sync().ping()).isEqualTo("PONG");
    }

    @Test
    void inRESP3InvGetIsAMapAndInRESP2AFlatArray() {
        String sku = unique("shape");
        store.inv().create(sku, 3);
        RedisCommands<String, String> resp3 = store.connect(ProtocolVersion.RESP3).sync();
        RedisCommands<String, String> resp2 = store.connect(ProtocolVersion.RESP2).sync();

        assertThat(call(resp3, "INV.GET", sku)).isEqualTo(Map.of("total", 3L, "available", 3L, "reserved", 0L, "sold", 0L));
        assertThat(call(resp2, "INV.GET", sku)).isEqualTo(List.of("total", 3L, "available", 3L, "reserved", 0L, "sold", 0L));
    }

    @Test
    void helloSwitchesTheProtocolAndDescribesTheServer() throws Exception {
        String sku = unique("hello");
        store.inv().create(sku, 1);
        try (RespSocket s = store.socket()) {
            assertThat(s.call("INV.GET", sku)).isInstanceOf(List.class);

            Object hello = s.call("HELLO", "3");

            assertThat(hello).isInstanceOf(Map.class);
            assertThat(asMap(hello)).containsEntry("server", "counter-store").containsEntry("proto", 3L)
                    .containsEntry("mode", "standalone").containsEntry("role", "master").containsKeys("version", "id");
            assertThat(s.call("INV.GET", sku)).isInstanceOf(Map.class);
            assertThat(s.call("INV.GET", unique("none"))).isNull();

            assertThat(s.call("HELLO", "2")).isInstanceOfSatisfying(List.class, flat -> assertThat(Inv.asMap(flat)).containsEntry("proto", 2L));
            assertThat(s.call("INV.GET", sku)).isInstanceOf(List.class);
        }
    }

    @Test
    void helloRefusesAProtocolItDoesNotSpeak() {
        assertThat(errorOf(() -> call(redis, "HELLO", "4"))).startsWith("NOPROTO");
        assertThat(errorOf(() -> call(redis, "HELLO", "three"))).startsWith("ERR Protocol version is not an integer");
    }

    @Test
    void onlyDatabaseZeroExists() {
        assertThat(redis.select(0)).isEqualTo("OK");
        assertThat(errorOf(() -> redis.select(1))).isEqualTo("ERR DB index is out of range");
        assertThat(redis.ping()).isEqualTo("PONG");
    }

    @Test
    void clientNamesAndIds() {
        RedisCommands<String, String> a = store.connect().sync();
        RedisCommands<String, String> b = store.connect().sync();

        assertThat(a.clientGetname()).isNull();
        assertThat(a.clientSetname("checkout-7")).isEqualTo("OK");

        assertThat(a.clientGetname()).isEqualTo("checkout-7");
        assertThat(b.clientGetname()).isNull();
        assertThat(a.clientId()).isPositive().isNotEqualTo(b.clientId());
        assertThat(a.clientId()).as("the same connection keeps its id").isEqualTo(a.clientId());
    }

    @Test
    void helloCanNameTheConnectionAndTellsItsId() throws Exception {
        try (RespSocket s = store.socket()) {
            Map<?, ?> hello = (Map<?, ?>) s.call("HELLO", "3", "SETNAME", "sync-worker");

            assertThat(s.call("CLIENT", "GETNAME")).isEqualTo("sync-worker");
            assertThat(s.call("CLIENT", "ID")).isEqualTo(hello.get("id"));
        }
    }

    @Test
    void infoHasEverySectionWithRealFigures() {
        Map<String, String> info = TestStore.info(redis, "everything");
        String text = redis.info();

        assertThat(text).contains("# Server\r\n", "# Clients\r\n", "# Stats\r\n", "# Persistence\r\n",
                "# Replication\r\n", "# Inventory\r\n");
        assertThat(info).containsEntry("tcp_port", Integer.toString(store.port()))
                .containsEntry("role", "master").containsEntry("raft_group_size", "1")
                .containsEntry("requirepass", "no").containsKeys("redis_version", "uptime_in_seconds",
                        "total_commands_processed", "log_applied_index", "skus", "pending_reservations");
        assertThat(Long.parseLong(info.get("connected_clients"))).isPositive();
    }

    @Test
    void infoOfOneSectionHasOnlyThatSection() {
        String text = redis.info("inventory");

        assertThat(text).startsWith("# Inventory\r\n").doesNotContain("# Server", "# Stats");
    }

    @Test
    void infoFiguresFollowWhatHappens() {
        long skus = store.infoLong("inventory", "skus");
        long applied = store.infoLong("persistence", "log_applied_index");
        long commands = store.infoLong("stats", "total_commands_processed");
        long pending = store.infoLong("inventory", "pending_reservations");
        String sku = unique("info");
        String req = unique("req");

        store.inv().create(sku, 5);
        store.inv().reserve(sku, 1, req);

        // INFO shows the state as of the last applied entry
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(store.infoLong("inventory", "skus")).isEqualTo(skus + 1);
            assertThat(store.infoLong("inventory", "pending_reservations")).isEqualTo(pending + 1);
            assertThat(store.infoLong("persistence", "log_applied_index")).isGreaterThan(applied);
        });
        assertThat(store.infoLong("stats", "total_commands_processed")).isGreaterThan(commands + 2);

        store.inv().cancel(req);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> store.infoLong("inventory", "pending_reservations"), n -> n == pending);
    }

    @Test
    void infoCountsConnections() {
        long connected = store.infoLong("clients", "connected_clients");
        StatefulRedisConnection<String, String> extra = store.connect();
        extra.sync().ping();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> store.infoLong("clients", "connected_clients"), n -> n == connected + 1);

        extra.close();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> store.infoLong("clients", "connected_clients"), n -> n == connected);
    }

    @Test
    void configGetAnswersKnownKeysAndNothingForOthers() {
        assertThat(redis.configGet("port")).containsExactly(Map.entry("port", Integer.toString(store.port())));
        assertThat(redis.configGet("*")).containsEntry("appendonly", "yes").containsEntry("databases", "1")
                .containsKeys("appendfsync", "save", "dir", "proto-max-bulk-len");
        assertThat(redis.configGet("no-such-setting")).isEmpty();
        assertThat(errorOf(() -> redis.configSet("appendonly", "no"))).startsWith("ERR");
    }

    @Test
    void timeAnswersSecondsAndMicroseconds() {
        List<String> time = redis.time();

        assertThat(time).hasSize(2);
        assertThat(Long.parseLong(time.get(0))).isCloseTo(System.currentTimeMillis() / 1000, within(60L));
        assertThat(Long.parseLong(time.get(1))).isBetween(0L, 999_999L);
    }

    /**
     * TIME is the wall clock to the microsecond and never goes back: 20,000 of them pipelined come
     * back in order. (It was milliseconds plus a remainder of nanoTime, which went back by up to a
     * millisecond whenever the two rolled over at different moments.)
     */
    @Test
    void timeNeverGoesBack() throws Exception {
        int n = 20_000;
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", store.port())) {
            s.setSoTimeout(10_000);
            byte[] time = RespSocket.encode("TIME");
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                all.writeBytes(time);
            }
            s.getOutputStream().write(all.toByteArray());
            java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            long last = 0;
            java.util.Set<Long> microDigits = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                WireReply r = WireReply.read(in);
                long micros = Long.parseLong(r.items().get(0).text()) * 1_000_000
                        + Long.parseLong(r.items().get(1).text());
                assertThat(micros).as("TIME %d of %d", i, n).isGreaterThanOrEqualTo(last);
                last = micros;
                microDigits.add(micros % 1000);
            }
            assertThat(microDigits).as("microseconds, not milliseconds").hasSizeGreaterThan(10);
            long now = System.currentTimeMillis() * 1000;
            assertThat(last).isBetween(now - 5_000_000, now + 5_000_000);
        }
    }

    /**
     * An answer is written in the protocol its command arrived in: a GET sent before HELLO 3 in
     * the same write answers nil as RESP2 does ($-1), although HELLO 3 was run before the GET's
     * answer came back from the log.
     */
    @Test
    void anAnswerIsWrittenInTheProtocolItsCommandArrivedIn() throws Exception {
        String missing = unique("proto-arrival");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", store.port())) {
            s.setSoTimeout(10_000);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            all.writeBytes(RespSocket.encode("GET", missing));
            all.writeBytes(RespSocket.encode("HELLO", "3"));
            all.writeBytes(RespSocket.encode("GET", missing));
            all.writeBytes(RespSocket.encode("HELLO", "2"));
            all.writeBytes(RespSocket.encode("GET", missing));
            s.getOutputStream().write(all.toByteArray());
            java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            assertThat(WireReply.read(in).shown()).isEqualTo("$-1\\r\\n");
            assertThat(WireReply.read(in).type()).isEqualTo('%');
            assertThat(WireReply.read(in).shown()).isEqualTo("_\\r\\n");
            assertThat(WireReply.read(in).type()).isEqualTo('*');
            assertThat(WireReply.read(in).shown()).isEqualTo("$-1\\r\\n");
        }
    }

    @Test
    void commandCountAnswersANumber() {
        assertThat(call(redis, "COMMAND", "COUNT")).isInstanceOf(Long.class);
    }

    @Test
    void quitAnswersOkAndClosesTheConnection() throws Exception {
        try (RespSocket s = store.socket()) {
            assertThat(s.call("QUIT")).isEqualTo("OK");
            assertThat(s.closedByServer(5_000)).isTrue();
        }
    }

    @Test
    void anUnknownCommandIsNamedInTheError() {
        assertThat(errorOf(() -> call(redis, "NOSUCHCMD", "x")))
                .isEqualTo("ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' ");
        assertThat(errorOf(() -> redis.flushall())).startsWith("ERR unknown command 'FLUSHALL'");
        assertThat(redis.ping()).isEqualTo("PONG");
    }

    @Test
    void aWrongNumberOfArgumentsIsRefused() {
        assertThat(errorOf(() -> call(redis, "ECHO"))).isEqualTo("ERR wrong number of arguments for 'echo' command");
        assertThat(errorOf(() -> call(redis, "PING", "a", "b"))).isEqualTo("ERR wrong number of arguments for 'ping' command");
        assertThat(errorOf(() -> call(redis, "SELECT"))).isEqualTo("ERR wrong number of arguments for 'select' command");
        assertThat(errorOf(() -> call(redis, "CLIENT", "SETNAME"))).isEqualTo("ERR wrong number of arguments for 'client|setname' command");
        assertThat(errorOf(() -> call(redis, "INV.GET"))).isEqualTo("ERR wrong number of arguments for 'inv.get' command");
        assertThat(errorOf(() -> call(redis, "INV.CONFIRM", "a", "b"))).isEqualTo("ERR wrong number of arguments for 'inv.confirm' command");
        assertThat(errorOf(() -> call(redis, "INV.CHANGES", "0"))).isEqualTo("ERR wrong number of arguments for 'inv.changes' command");
        assertThat(errorOf(() -> call(redis, "INV.SCAN"))).isEqualTo("ERR wrong number of arguments for 'inv.scan' command");
    }

    @Test
    void authWithoutAConfiguredPasswordIsAnError() {
        assertThat(errorOf(() -> redis.auth("anything"))).startsWith("ERR AUTH <password> called without any password configured");
    }

    /** A node started with {@code --requirepass secret}. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithAPassword {
        TestStore secured;

        @BeforeAll
        void startSecuredNode(@TempDir Path securedDir) throws Exception {
            secured = TestStore.start(TestStore.config(securedDir).withRequirePass("secret"));
        }

        @AfterAll
        void stopSecuredNode() {
            secured.close();
        }

        @Test
        void everythingButAuthAndHelloIsRefusedBeforeAuthAndChangesNothing() throws Exception {
            String sku = unique("noauth");
            String key = unique("noauth-counter");
            try (RespSocket s = secured.socket()) {
                List<List<String>> refused = List.of(List.of("PING"), List.of("ECHO", "x"), List.of("INV.CREATE", sku, "10"),
                        List.of("INV.GET", sku), List.of("SET", key, "1"), List.of("GET", key), List.of("INFO"),
                        List.of("CLIENT", "ID"), List.of("SELECT", "0"), List.of("DBSIZE"), List.of("CONFIG", "GET", "port"),
                        List.of("NOSUCHCMD"));
                for (List<String> command : refused) {
                    assertThat(s.call(command.toArray(String[]::new))).as("%s", command)
                            .isEqualTo(new Err("NOAUTH Authentication required."));
                }

                assertThat(s.call("AUTH", "secret")).isEqualTo("OK");

                assertThat(s.call("PING")).isEqualTo("PONG");
                assertThat(s.call("INV.GET", sku)).isNull();
                assertThat(s.call("GET", key)).isNull();
            }
        }

        @Test
        void aWrongPasswordIsRefusedWithWrongpass() throws Exception {
            try (RespSocket s = secured.socket()) {
                assertThat(s.call("AUTH", "guess")).isInstanceOfSatisfying(Err.class, e -> assertThat(e.code()).isEqualTo("WRONGPASS"));
                assertThat(s.call("AUTH", "default", "guess")).isInstanceOfSatisfying(Err.class, e -> assertThat(e.code()).isEqualTo("WRONGPASS"));
                assertThat(s.call("AUTH", "mallory", "secret")).isInstanceOfSatisfying(Err.class, e -> assertThat(e.code()).isEqualTo("WRONGPASS"));

                assertThat(s.call("PING")).isEqualTo(new Err("NOAUTH Authentication required."));
                assertThat(s.call("AUTH", "default", "secret")).isEqualTo("OK");
                assertThat(s.call("PING")).isEqualTo("PONG");
            }
        }

        @Test
        void helloAuthenticatesAndSwitchesToRESP3InOneStep() throws Exception {
            String sku = unique("hello-auth");
            try (RespSocket s = secured.socket()) {
                assertThat(s.call("HELLO", "3")).isInstanceOfSatisfying(Err.class, e -> assertThat(e.code()).isEqualTo("NOAUTH"));
                assertThat(s.call("HELLO", "3", "AUTH", "default", "guess"))
                        .isInstanceOfSatisfying(Err.class, e -> assertThat(e.code()).isEqualTo("WRONGPASS"));
                assertThat(s.call("HELLO", "3", "AUTH", "mallory", "secret"))
                        .isInstanceOfSatisfying(Err.class, e -> assertThat(e.code()).isEqualTo("WRONGPASS"));
                assertThat(s.call("PING")).isEqualTo(new Err("NOAUTH Authentication required."));

                assertThat(s.call("HELLO", "3", "AUTH", "default", "secret"))
                        .isInstanceOfSatisfying(Map.class, m -> assertThat(m).containsEntry("proto", 3L));

                assertThat(s.call("INV.CREATE", sku, "4")).isEqualTo("OK");
                assertThat(s.call("INV.GET", sku)).isInstanceOf(Map.class);
            }
        }

        @ParameterizedTest
        @EnumSource(ProtocolVersion.class)
        void lettuceWithThePasswordInItsUriWorks(ProtocolVersion protocol) {
            Inv inv = new Inv(secured.connect(secured.uri("secret"), protocol));
            String sku = unique("lettuce-auth");

            assertThat(inv.create(sku, 2)).isEqualTo("OK");
            assertThat(inv.get(sku)).isEqualTo(new Stock(2, 2, 0, 0));
        }

        @ParameterizedTest
        @EnumSource(ProtocolVersion.class)
        void lettuceWithoutThePasswordCannotConnect(ProtocolVersion protocol) {
            // its handshake (HELLO 3, or the PING Lettuce sends before it activates a RESP2
            // connection) is refused with NOAUTH; which error Lettuce reports as the cause varies
            assertThatThrownBy(() -> secured.connect(secured.uri(), protocol))
                    .isInstanceOf(RedisConnectionException.class);
        }

        @ParameterizedTest
        @EnumSource(ProtocolVersion.class)
        void lettuceWithAWrongPasswordCannotConnect(ProtocolVersion protocol) {
            assertThatThrownBy(() -> secured.connect(secured.uri("guess"), protocol))
                    .isInstanceOf(RedisConnectionException.class)
                    .rootCause().hasMessageStartingWith("WRONGPASS");
        }
    }
}
