package dev.seckill.store;

import dev.seckill.store.command.Op;
import dev.seckill.store.replication.ForgedRaftClient;
import dev.seckill.store.replication.TestEntries;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static dev.seckill.store.StoreClient.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Raft port of a store process started as an operator starts it: a forged client request
 * through a real Ratis client changes nothing, even on a store with a password; and the port is
 * not reachable on any address of the machine but loopback.
 */
class RaftPortIT {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aForgedRestockOnTheRaftPortOfAPasswordProtectedStoreIsRefused() throws Exception {
        int raftPort = StoreProcess.freePorts(1)[0];
        try (StoreProcess store = new StoreProcess("raft-port", "--raft-port", Integer.toString(raftPort),
                "--requirepass", "s3cret").start();
             StoreClient client = new StoreClient("redis://s3cret@127.0.0.1:" + store.port())) {
            RedisAsyncCommands<String, String> c = client.connect().async();
            assertThat(get(StoreClient.create(c, "forged", 10))).isEqualTo("OK");

            ForgedRaftClient.Outcome outcome = ForgedRaftClient.send(Map.of("n1", "127.0.0.1:" + raftPort),
                    TestEntries.entry(Op.INV_RESTOCK, "forged", "1000"), null);

            assertThat(outcome.committed()).as("forged restock: %s", outcome).isFalse();
            assertThat(get(StoreClient.stock(c, "forged")).get("available")).isEqualTo(10L);
            assertThat(StoreClient.info(c, "replication").get("raft_calls_refused")).isNotEqualTo("0");
        }
    }

    /**
     * In a network namespace of its own, with an address on an Ethernet (veth) interface (an
     * address of this "machine" that is not loopback), a store started with {@code --bind
     * 127.0.0.1} answers on 127.0.0.1 only: the Raft port too.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theRaftPortIsNotReachableOnAnotherAddressOfTheMachine() throws Exception {
        String ns = "raftport-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 20);
        String other = "10.213.0.1";
        Assumptions.assumeTrue(run(List.of("ip", "netns", "add", ns)) == 0, "needs root for ip netns");
        try {
            assertThat(run(List.of("ip", "-n", ns, "link", "set", "lo", "up"))).isZero();
            // a veth pair, both ends inside: the namespace's own Ethernet interface and address
            assertThat(run(List.of("ip", "-n", ns, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1")))
                    .isZero();
            assertThat(run(List.of("ip", "-n", ns, "addr", "add", other + "/24", "dev", "probe0"))).isZero();
            assertThat(run(List.of("ip", "-n", ns, "link", "set", "probe0", "up"))).isZero();
            assertThat(run(List.of("ip", "-n", ns, "link", "set", "probe1", "up"))).isZero();
            int[] ports = StoreProcess.freePorts(2);
            try (StoreProcess store = new StoreProcess("raft-netns", "--raft-port", Integer.toString(ports[0]))
                    .onPort(ports[1]).inNetworkNamespace(ns).start()) {
                assertThat(canConnect(ns, "127.0.0.1", ports[1])).as("RESP on loopback").isTrue();
                assertThat(canConnect(ns, "127.0.0.1", ports[0])).as("Raft on loopback").isTrue();
                assertThat(canConnect(ns, other, ports[1])).as("RESP on " + other).isFalse();
                assertThat(canConnect(ns, other, ports[0])).as("Raft on " + other).isFalse();
                assertThat(store.isAlive()).isTrue();
            }
        } finally {
            run(List.of("ip", "netns", "del", ns));
        }
    }

    /** A TCP connect from inside the namespace (bash's /dev/tcp), within 5 s. */
    private static boolean canConnect(String ns, String host, int port) throws Exception {
        return run(List.of("ip", "netns", "exec", ns, "timeout", "5", "bash", "-c",
                "exec 3<>/dev/tcp/" + host + "/" + port)) == 0;
    }

    private static int run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
        }
        if (p.exitValue() != 0 && !out.isBlank()) {
            System.out.printf("%s -> %d: %s%n", String.join(" ", cmd), p.exitValue(), out.trim());
        }
        return p.exitValue();
    }
}
