package dev.seckill.store.server;

import static dev.seckill.store.server.Inv.errorOf;
import static dev.seckill.store.server.TestStore.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.seckill.store.server.Inv.Stock;
import dev.seckill.store.server.RespSocket.Err;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * What the store does with input that is broken, hostile or cut short: it answers with a clear
 * error, changes nothing, and other clients do not notice. A protocol error closes only the
 * connection that made it; a malformed command is refused before it reaches the log.
 */
@Timeout(60)
class BadInputTest {
    @TempDir
    static Path dataDir;
    static TestStore store;
    static Inv inv;

    @BeforeAll
    static void startNode() throws Exception {
        store = TestStore.start(dataDir);
        inv = store.inv();
    }

    @AfterAll
    static void stopNode() {
        store.close();
    }

    static String newSku(long total) {
        String sku = unique("bad");
        inv.create(sku, total);
        return sku;
    }

    static Stream<Arguments> brokenProtocol() {
        return Stream.of(
                Arguments.of("an array length that is no number", "*x\r\n", "invalid multibulk length"),
                Arguments.of("more arguments than allowed", "*99999999\r\n", "invalid multibulk length"),
                Arguments.of("a bulk length that is no number", "*1\r\n$abc\r\n", "invalid bulk length"),
                Arguments.of("a bulk without its CRLF", "*1\r\n$4\r\nPINGxx", "expected CRLF after bulk string"),
                Arguments.of("an array followed by garbage", "*3\r\ngarbage\r\n\r\n", "expected '$', got 'g'"),
                Arguments.of("a bulk claiming nearly a gigabyte", "*1\r\n$999999999\r\n", "invalid bulk length"),
                Arguments.of("an inline command with an open quote", "INV.GET \"abc\r\n", "unbalanced quotes in request"),
                Arguments.of("an inline line longer than 64 KiB", "A".repeat((64 << 10) + 2), "too big inline request"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenProtocol")
    void aProtocolErrorIsAnsweredAndClosesOnlyThatConnection(String what, String bytes, String message) throws Exception {
        String sku = newSku(10);
        Stock before = inv.get(sku);
        try (RespSocket bad = store.socket()) {
            // a well-formed reservation right behind the broken bytes must be dropped with them
            bad.sendRaw(bytes + new String(RespSocket.encode("INV.RESERVE", sku, "1", unique("req")), StandardCharsets.ISO_8859_1));

            assertThat(bad.read()).isEqualTo(new Err("ERR Protocol error: " + message));
            assertThat(bad.closedByServer(5_000)).as("the server closes the connection").isTrue();
        }

        assertThat(store.redis().ping()).isEqualTo("PONG");
        assertThat(inv.get(sku)).isEqualTo(before);
    }

    @Test
    void commandsBeforeAProtocolErrorAreAnsweredInOrderBeforeTheError() throws Exception {
        String sku = newSku(10);
        String req = unique("req");
        try (RespSocket bad = store.socket()) {
            // in one write, so the error is decided while the reservation still waits for the log
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.write(RespSocket.encode("INV.RESERVE", sku, "2", req));
            both.write("*1\r\n$x\r\n".getBytes(StandardCharsets.US_ASCII));
            bad.sendRaw(both.toByteArray());

            assertThat(bad.read()).isEqualTo(8L);
            assertThat(bad.read()).isEqualTo(new Err("ERR Protocol error: invalid bulk length"));
            assertThat(bad.closedByServer(5_000)).isTrue();
        }

        assertThat(inv.get(sku)).isEqualTo(new Stock(10, 8, 2, 0));
        assertThat(inv.reservation(req)).containsEntry("state", "RESERVED");
    }

    @Test
    void oversizedBulkClaimsAreRefusedAtTheHeaderAndTheServerKeepsServing() throws Exception {
        long connectionsBefore = store.infoLong("stats", "total_connections_received");
        for (int i = 0; i < 20; i++) {
            try (RespSocket greedy = store.socket()) {
                greedy.sendRaw("*1\r\n$999999999\r\n");
                assertThat(greedy.read()).isEqualTo(new Err("ERR Protocol error: invalid bulk length"));
                assertThat(greedy.closedByServer(5_000)).isTrue();
            }
        }

        try (RespSocket fresh = store.socket()) {
            assertThat(fresh.call("PING")).isEqualTo("PONG");
        }
        assertThat(store.infoLong("stats", "total_connections_received")).isGreaterThanOrEqualTo(connectionsBefore + 21);
    }

    @Test
    void theLargestAllowedBulkIsAccepted() throws Exception {
        String big = "x".repeat(1 << 20);
        try (RespSocket s = store.socket()) {
            assertThat(s.call("ECHO", big)).isEqualTo(big);

            s.sendRaw("*2\r\n$4\r\nECHO\r\n$" + ((1 << 20) + 1) + "\r\n");
            assertThat(s.read()).isEqualTo(new Err("ERR Protocol error: invalid bulk length"));
        }
    }

    /**
     * Malformed INV.RESERVE commands: {@code {sku}} and {@code {req}} are replaced by a fresh SKU
     * with 10 units and a fresh request id.
     */
    static Stream<Arguments> malformedReservations() {
        String longId = "s".repeat(129);
        return Stream.of(
                Arguments.of("qty abc", List.of("{sku}", "abc", "{req}"), "ERR value is not an integer or out of range"),
                Arguments.of("qty -1", List.of("{sku}", "-1", "{req}"), "ERR value must be positive"),
                Arguments.of("qty 0", List.of("{sku}", "0", "{req}"), "ERR value must be positive"),
                Arguments.of("qty 1.5", List.of("{sku}", "1.5", "{req}"), "ERR value is not an integer or out of range"),
                Arguments.of("qty past 64 bits", List.of("{sku}", "99999999999999999999", "{req}"),
                        "ERR value is not an integer or out of range"),
                Arguments.of("qty 2^63", List.of("{sku}", "9223372036854775808", "{req}"),
                        "ERR value is not an integer or out of range"),
                Arguments.of("SKU id of 129 bytes", List.of(longId, "1", "{req}"), "ERR SKU id must be 1 to 128 bytes"),
                Arguments.of("empty SKU id", List.of("", "1", "{req}"), "ERR SKU id must be 1 to 128 bytes"),
                Arguments.of("request id of 129 bytes", List.of("{sku}", "1", "r".repeat(129)),
                        "ERR request id must be 1 to 128 bytes"),
                Arguments.of("user id of 129 bytes", List.of("{sku}", "1", "{req}", "USER", "u".repeat(129)),
                        "ERR user id must be 1 to 128 bytes"),
                Arguments.of("unknown option", List.of("{sku}", "1", "{req}", "COLOR", "red"),
                        "ERR syntax error, unknown option 'COLOR'"),
                Arguments.of("option without a value", List.of("{sku}", "1", "{req}", "USER"), "ERR syntax error, USER needs a value"),
                Arguments.of("LIMIT without USER", List.of("{sku}", "1", "{req}", "LIMIT", "1"), "ERR LIMIT needs USER"),
                Arguments.of("negative LIMIT", List.of("{sku}", "1", "{req}", "USER", "u", "LIMIT", "-1"),
                        "ERR value must not be negative"),
                Arguments.of("TTL 0", List.of("{sku}", "1", "{req}", "TTL", "0"), "ERR value must be positive"),
                Arguments.of("TTL over 30 days", List.of("{sku}", "1", "{req}", "TTL", "2592000001"),
                        "ERR TTL must be at most 2592000000 ms"),
                Arguments.of("too few arguments", List.of("{sku}", "1"), "ERR wrong number of arguments for 'inv.reserve' command"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedReservations")
    void aMalformedReservationIsRefusedAndNeitherHoldsUnitsNorUsesUpItsRequestId(String what, List<String> template,
                                                                               String error) {
        String sku = newSku(10);
        String req = unique("req");
        Object[] args = template.stream().map(a -> a.replace("{sku}", sku).replace("{req}", req)).toArray();

        assertThat(errorOf(() -> inv.call(InvCommand.RESERVE, args))).isEqualTo(error);

        assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
        assertThat(inv.reservation(req)).isNull();
        assertThat(inv.reserve(sku, 1, req)).as("the request id is still free").isEqualTo(9);
    }

    static Stream<Arguments> malformedCommands() {
        return Stream.of(
                Arguments.of(List.of("INV.CREATE", "{sku}", "-5"), "ERR value must not be negative"),
                Arguments.of(List.of("INV.CREATE", "c".repeat(129), "5"), "ERR SKU id must be 1 to 128 bytes"),
                Arguments.of(List.of("INV.CREATE", "{sku}"), "ERR wrong number of arguments for 'inv.create' command"),
                Arguments.of(List.of("INV.RESTOCK", "{sku}", "abc"), "ERR value is not an integer or out of range"),
                Arguments.of(List.of("INV.RESTOCK", "{sku}", "5", "req", "6"), "ERR wrong number of arguments for 'inv.restock' command"),
                Arguments.of(List.of("INV.DEDUCT", "{sku}", "0", "{req}"), "ERR value must be positive"),
                Arguments.of(List.of("INV.DEDUCT", "{sku}", "1", "{req}", "TTL", "100"), "ERR syntax error, TTL does not apply here"),
                Arguments.of(List.of("INV.RESERVEALL", "{req}", "USER", "u", "{sku}", "1"), "ERR syntax error, ITEMS sku qty [sku qty ...] expected"),
                Arguments.of(List.of("INV.RESERVEALL", "{req}", "ITEMS"), "ERR wrong number of arguments for 'inv.reserveall' command"),
                Arguments.of(List.of("INV.RESERVEALL", "{req}", "ITEMS", "{sku}", "1", "{sku}"), "ERR syntax error, ITEMS needs sku qty pairs"),
                Arguments.of(List.of("INV.RESERVEALL", "{req}", "ITEMS", "{sku}", "1", "{sku}", "2"), "ERR duplicate SKU '{sku}' in ITEMS"),
                Arguments.of(List.of("INV.RESERVEALL", "{req}", "ITEMS", "{sku}", "-2", "other", "1"), "ERR value must be positive"),
                Arguments.of(List.of("INV.RESERVEALL", "{req}", "LIMIT", "2", "ITEMS", "{sku}", "1"), "ERR LIMIT needs USER"),
                Arguments.of(List.of("INV.SCAN", "0", "COUNT", "0"), "ERR value must be positive"),
                Arguments.of(List.of("INV.SCAN", "0", "LIMIT", "5"), "ERR syntax error"),
                Arguments.of(List.of("INV.SCAN", "-1"), "ERR value must not be negative"),
                Arguments.of(List.of("INV.CHANGES", "0", "0"), "ERR count must be 1 to 100000"),
                Arguments.of(List.of("INV.ACK", "x"), "ERR value is not an integer or out of range"),
                Arguments.of(List.of("INV.CONFIRM", ""), "ERR request id must be 1 to 128 bytes"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("malformedCommands")
    void aMalformedCommandIsRefusedAndChangesNothing(List<String> template, String error) {
        String sku = newSku(10);
        String req = unique("req");
        List<String> command = template.stream().map(a -> a.replace("{sku}", sku).replace("{req}", req)).toList();
        long feedBefore = inv.changes(0, 1).lastSeq();

        assertThat(errorOf(() -> inv.call(command.get(0), command.subList(1, command.size()).toArray())))
                .isEqualTo(error.replace("{sku}", sku));

        assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
        assertThat(inv.reservation(req)).isNull();
        assertThat(inv.changes(0, 1).lastSeq()).as("nothing entered the change feed").isEqualTo(feedBefore);
    }

    @Test
    void aSkuIdOfExactly128BytesIsFine() {
        String sku = unique("b").concat("x".repeat(128)).substring(0, 128);

        assertThat(inv.create(sku, 3)).isEqualTo("OK");
        assertThat(inv.reserve(sku, 1, "q".repeat(128), "USER", "u".repeat(128))).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -11})
    void aRestockCannotTakeAwayMoreThanIsAvailableHoweverLargeTheDelta(long delta) {
        String sku = newSku(10);

        assertThat(errorOf(() -> inv.restock(sku, delta))).isEqualTo("INSUFFICIENT 10");

        assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
    }

    @Test
    void aRestockCannotOverflowTheTotal() {
        String sku = newSku(Long.MAX_VALUE - 5);

        assertThat(errorOf(() -> inv.restock(sku, 6))).isEqualTo("ERR increment or decrement would overflow");
        assertThat(errorOf(() -> inv.restock(sku, Long.MAX_VALUE))).isEqualTo("ERR increment or decrement would overflow");

        assertThat(inv.restock(sku, 5)).isEqualTo(Long.MAX_VALUE);
        assertThat(inv.get(sku)).isEqualTo(new Stock(Long.MAX_VALUE, Long.MAX_VALUE, 0, 0));
    }

    @Test
    void aHugeQuantityIsJustInsufficient() {
        String sku = newSku(10);
        String user = unique("user");

        assertThat(errorOf(() -> inv.reserve(sku, Long.MAX_VALUE, unique("req")))).isEqualTo("INSUFFICIENT 10");
        assertThat(errorOf(() -> inv.reserve(sku, Long.MAX_VALUE, unique("req"), "USER", user, "LIMIT", Long.MAX_VALUE)))
                .isEqualTo("INSUFFICIENT 10");
        assertThat(errorOf(() -> inv.reserveAll(unique("req"), "ITEMS", sku, Long.MAX_VALUE))).isEqualTo("INSUFFICIENT 10 " + sku);

        assertThat(inv.get(sku)).isEqualTo(new Stock(10, 10, 0, 0));
    }

    /**
     * A client sends 100 reservations and the first half of a 101st, then goes away: gracefully
     * (FIN) or abortively (RST, which may throw away what the server had not read yet). Each
     * reservation it sent whole is applied entirely or not at all, the one it cut short never is,
     * the stock still balances, and a client working beside it sees nothing of it.
     */
    @ParameterizedTest(name = "abortive close: {0}")
    @ValueSource(booleans = {false, true})
    void aClientThatVanishesMidPipelineHurtsNoOne(boolean abortive) throws Exception {
        String sku = newSku(1_000);
        String prefix = unique("half");
        // only the shared connection is open, so the count below tells when the server saw the close
        await().atMost(Duration.ofSeconds(10)).until(() -> store.infoLong("clients", "connected_clients"), n -> n == 1);
        long accepted = store.infoLong("stats", "total_connections_received");
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            pipeline.write(RespSocket.encode("INV.RESERVE", sku, "1", prefix + "-" + i));
        }
        byte[] last = RespSocket.encode("INV.RESERVE", sku, "1", prefix + "-cut");
        pipeline.write(last, 0, last.length / 2);

        // a well-behaved client keeps reserving while the other one misbehaves
        CompletableFuture<List<Long>> neighbour = CompletableFuture.supplyAsync(() -> {
            try (var connection = store.connect()) {
                Inv other = new Inv(connection);
                List<Long> answers = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    answers.add(other.reserve(sku, 2, prefix + "-neighbour-" + i));
                }
                return answers;
            }
        });
        try (Socket vanishing = new Socket("127.0.0.1", store.port())) {
            vanishing.getOutputStream().write(pipeline.toByteArray());
            vanishing.getOutputStream().flush();
            if (abortive) {
                vanishing.setSoLinger(true, 0);
            }
        }

        List<Long> neighbourAnswers = neighbour.get();
        assertThat(neighbourAnswers).hasSize(20).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        // once the server has seen both connections come and go, everything it read from them is
        // in the ring, ahead of the reads below
        await().atMost(Duration.ofSeconds(10)).until(() ->
                store.infoLong("stats", "total_connections_received") >= accepted + 2
                        && store.infoLong("clients", "connected_clients") == 1);

        long applied = 0;
        for (int i = 0; i < 100; i++) {
            var r = inv.reservation(prefix + "-" + i);
            if (r != null) {
                assertThat(r).containsEntry("sku", sku).containsEntry("qty", 1L).containsEntry("state", "RESERVED");
                applied++;
            }
        }
        assertThat(inv.reservation(prefix + "-cut")).isNull();
        Stock after = inv.get(sku);
        assertThat(after).matches(Stock::balanced, "balanced");
        assertThat(after.reserved()).isEqualTo(applied + 20 * 2);
        assertThat(after.available()).isEqualTo(1_000 - applied - 40);
        if (!abortive) {
            assertThat(applied).as("a graceful close delivers everything sent before it").isEqualTo(100);
        }
        assertThat(store.redis().ping()).isEqualTo("PONG");
    }

    @Test
    void binaryKeysRoundTrip() throws Exception {
        byte[] raw = {0, 1, 2, (byte) 0xff, '\r', '\n', ' '};
        String latin1 = new String(raw, StandardCharsets.ISO_8859_1);
        try (RespSocket s = store.socket()) {
            assertThat(s.call("INV.CREATE", latin1, "3")).isEqualTo("OK");
            List<?> page = (List<?>) s.call("INV.SCAN", "0", "COUNT", "100000");
            assertThat(page.get(1)).isInstanceOfSatisfying(List.class, ids -> assertThat(ids).contains(latin1));
            assertThat(s.call("SET", latin1, "7")).isEqualTo("OK");
            assertThat(s.call("GET", latin1)).isEqualTo("7");
        }
    }
}
