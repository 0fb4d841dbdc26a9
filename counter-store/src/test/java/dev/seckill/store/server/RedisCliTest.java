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
        assertThat(cli("--no-raw", "NOSUCHCMD")).isEqualTo("(error) ERR unknown command 'NOSUCHCMD'\n");
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
}
