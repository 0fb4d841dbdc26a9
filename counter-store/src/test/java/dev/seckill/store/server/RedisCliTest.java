package dev.seckill.store.server;

import static dev.seckill.store.server.TestStore.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code redis-cli} talks to the store unchanged. Its output is checked as a person or a
 * shell script sees it: raw when piped (the default for a non-terminal), formatted with
 * {@code --no-raw}, RESP3 with {@code -3}.
 */
@Timeout(60)
class RedisCliTest {
    private static final Path REDIS_CLI = Path.of("/usr/bin/redis-cli");

    @TempDir
    static Path dataDir;
    static TestStore store;

    @BeforeAll
    static void startNode() throws Exception {
        assumeTrue(Files.isExecutable(REDIS_CLI), "redis-cli is not installed at " + REDIS_CLI);
        store = TestStore.start(dataDir);
    }

    @AfterAll
    static void stopNode() {
        if (store != null) {
            store.close();
        }
    }

    /** Runs {@code redis-cli -p <port> args...} with {@code stdin} as its input; answers its output. */
    static String cliWithInput(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(REDIS_CLI.toString(), "-p", Integer.toString(store.port())));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("redis-cli finished").isTrue();
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    static String cli(String... args) throws IOException, InterruptedException {
        return cliWithInput("", args);
    }

    @Test
    void ping() throws Exception {
        assertThat(cli("PING")).isEqualTo("PONG\n");
    }

    @Test
    void createReserveAndReadAStock() throws Exception {
        String sku = unique("cli");

        assertThat(cli("INV.CREATE", sku, "10")).isEqualTo("OK\n");
        assertThat(cli("INV.RESERVE", sku, "3", unique("req"), "USER", "u1", "TTL", "600000")).isEqualTo("7\n");

        assertThat(cli("INV.GET", sku)).isEqualTo("total\n10\navailable\n7\nreserved\n3\nsold\n0\n");
        assertThat(cli("--no-raw", "INV.GET", sku)).isEqualTo("""
                1) "total"
                2) (integer) 10
                3) "available"
                4) (integer) 7
                5) "reserved"
                6) (integer) 3
                7) "sold"
                8) (integer) 0
                """);
        assertThat(cli("-3", "--no-raw", "INV.GET", sku)).isEqualTo("""
                1# "total" => (integer) 10
                2# "available" => (integer) 7
                3# "reserved" => (integer) 3
                4# "sold" => (integer) 0
                """);
    }

    @Test
    void showsErrorRepliesAndNil() throws Exception {
        String sku = unique("cli-error");
        cli("INV.CREATE", sku, "2");

        assertThat(cli("--no-raw", "INV.RESERVE", sku, "5", unique("req"))).isEqualTo("(error) INSUFFICIENT 2\n");
        assertThat(cli("--no-raw", "INV.CREATE", sku, "2")).isEqualTo("(error) EXISTS\n");
        assertThat(cli("--no-raw", "NOSUCHCMD")).isEqualTo("(error) ERR unknown command 'NOSUCHCMD', with args beginning with: \n");
        assertThat(cli("--no-raw", "INV.GET", unique("cli-none"))).isEqualTo("(nil)\n");
    }

    @Test
    void runsCommandsFromStandardInputInOrder() throws Exception {
        String sku = unique("cli-stdin");
        String req = unique("req");

        String out = cliWithInput(String.join("\n",
                "INV.CREATE " + sku + " 5",
                "INV.RESERVE " + sku + " 2 " + req,
                "INV.CONFIRM " + req,
                "INV.CANCEL " + req,
                "INV.GET " + sku,
                ""), "--no-raw");

        assertThat(out).isEqualTo("""
                OK
                (integer) 3
                OK
                (error) CONFIRMED
                1) "total"
                2) (integer) 5
                3) "available"
                4) (integer) 3
                5) "reserved"
                6) (integer) 0
                7) "sold"
                8) (integer) 2
                """);
    }

    @Test
    void readsInfo() throws Exception {
        String out = cli("INFO", "inventory");

        assertThat(out).startsWith("# Inventory").containsPattern("(?m)^skus:\\d+\r?$");
    }

    /**
     * {@code redis-cli --stat} prints the store's own figures: the keys DBSIZE counts, the memory
     * in use, the clients, and the requests (it printed no keys and a nonsense memory figure when
     * INFO lacked the keyspace and memory sections).
     */
    @Test
    void statPrintsTheStoresFigures() throws Exception {
        for (int i = 0; i < 3; i++) {
            cli("INCR", unique("cli-stat"));
        }
        long keys = Long.parseLong(cli("DBSIZE").trim());
        // into a pipe redis-cli writes when its buffer fills: many lines, quickly
        Process p = new ProcessBuilder(REDIS_CLI.toString(), "-p", Integer.toString(store.port()), "--stat", "-i", "0.05")
                .redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).startsWith("------- data ------");
            assertThat(out.readLine()).startsWith("keys       mem      clients blocked requests");
            String[] first = out.readLine().trim().split("\\s+");
            String[] second = out.readLine().trim().split("\\s+");
            assertThat(first[0]).as("keys").isEqualTo(Long.toString(keys));
            assertThat(first[1]).as("mem").matches("\\d+(\\.\\d+)?[KMG]");
            assertThat(Long.parseLong(first[2])).as("clients").isPositive();
            assertThat(first[3]).as("blocked").isEqualTo("0");
            assertThat(Long.parseLong(second[4])).as("requests").isGreaterThan(Long.parseLong(first[4]));
            assertThat(Long.parseLong(second[6])).as("connections").isPositive();
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * redis-benchmark runs the tests of its default run that use only what the store has: PING
     * (inline and multibulk), GET and INCR. Its SET sends random text as the value, which the
     * store refuses (values are integers): redis-benchmark stops at the first error, so its
     * default run ends there. SET itself is measured with an integer value as a command of its own.
     */
    @Test
    void redisBenchmarkRunsWhatTheStoreHas() throws Exception {
        Path benchmark = Path.of("/usr/bin/redis-benchmark");
        assumeTrue(Files.isExecutable(benchmark), "redis-benchmark is not installed at " + benchmark);
        String port = Integer.toString(store.port());
        String ok = run(benchmark.toString(), "-p", port, "-t", "ping,get,incr", "-n", "2000", "-c", "4", "-q");
        assertThat(ok).containsPattern("PING_INLINE: [\\d.]+ requests per second")
                .containsPattern("PING_MBULK: [\\d.]+ requests per second")
                .containsPattern("GET: [\\d.]+ requests per second")
                .containsPattern("INCR: [\\d.]+ requests per second")
                .doesNotContain("Error");
        String set = run(benchmark.toString(), "-p", port, "-n", "2000", "-c", "4", "-q", "SET", "key:__rand_int__", "7");
        assertThat(set).containsPattern("SET key:__rand_int__ 7: [\\d.]+ requests per second").doesNotContain("Error");
        String text = run(benchmark.toString(), "-p", port, "-t", "set", "-n", "100", "-q");
        assertThat(text).contains("Error from server: ERR value is not an integer or out of range");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
            return out;
        } finally {
            p.destroyForcibly();
        }
    }
}
