package dev.seckill.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WATCH / MULTI / EXEC on every node of a group of three, with snapshots every 50 entries, while
 * a follower is killed with {@code kill -9} and started again: every transaction is applied
 * whole or not at all on every replica, and the replicas end in the same state, the restarted
 * one (which caught up from the log or from a snapshot) included.
 *
 * <p>Each transaction is a check-and-set of one shared counter, an INCR of its node's counter
 * and a reservation of one unit: after it all, the shared counter equals the sum of the node
 * counters and the units reserved, on every node.
 */
class TransactionGroupIT {
    private static final List<String> IDS = List.of("n1", "n2", "n3");
    private static final String CAS = "txg:cas";
    private static final String SKU = "txg-sku";
    private static final long STOCK = 100_000;
    /** Request ids of the reservations: each attempt a new one (a used id would replay its first answer). */
    private static final AtomicLong REQUESTS = new AtomicLong();

    /** INV commands as Jedis sends a command it does not know. */
    private enum Inv implements ProtocolCommand {
        CREATE("INV.CREATE"), RESERVE("INV.RESERVE"), GET("INV.GET");

        private final byte[] raw;

        Inv(String name) {
            raw = name.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] getRaw() {
            return raw;
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void transactionsOnEveryNodeLeaveEveryReplicaInTheSameState() throws Exception {
        int[] ports = StoreProcess.freePorts(2 * IDS.size());
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < IDS.size(); i++) {
            peers.append(i == 0 ? "" : ",").append(IDS.get(i)).append("=127.0.0.1:").append(ports[i]);
        }
        Path certificates = StoreProcess.groupCertificates("txg", peers.toString());
        Map<String, StoreProcess> nodes = new LinkedHashMap<>();
        for (int i = 0; i < IDS.size(); i++) {
            List<String> args = new ArrayList<>(List.of("--node-id", IDS.get(i), "--peers", peers.toString(),
                    "--snapshot-every", "50"));
            args.addAll(StoreProcess.tlsOptions(certificates, IDS.get(i)));
            nodes.put(IDS.get(i), new StoreProcess("txg-" + IDS.get(i), args.toArray(new String[0]))
                    .onPort(ports[IDS.size() + i]));
        }
        ExecutorService pool = Executors.newFixedThreadPool(IDS.size());
        try {
            nodes.values().forEach(StoreProcess::launch);
            nodes.values().forEach(StoreProcess::awaitReady);
            String leader = leader(nodes);
            try (Jedis j = jedis(nodes.get(leader))) {
                assertThat(j.sendCommand(Inv.CREATE, SKU, Long.toString(STOCK))).isNotNull();
            }
            String victim = IDS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();

            // all three nodes take transactions; then the victim is killed, the others go on;
            // then it is back, and all three go on
            AtomicLong acknowledged = new AtomicLong();
            AtomicLong tryAgain = new AtomicLong();
            runOnAll(pool, nodes, IDS, 25, acknowledged, tryAgain);
            nodes.get(victim).killHard();
            List<String> survivors = IDS.stream().filter(id -> !id.equals(victim)).toList();
            runOnAll(pool, nodes, survivors, 40, acknowledged, tryAgain);
            nodes.get(victim).launch().awaitReady();
            runOnAll(pool, nodes, IDS, 25, acknowledged, tryAgain);

            // every replica: the same counters and stock, and each transaction whole
            await("the restarted node caught up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> state(nodes.get(victim)).equals(state(nodes.get(leader))));
            List<String> first = state(nodes.get(IDS.get(0)));
            for (String id : IDS) {
                List<String> s = state(nodes.get(id));
                assertThat(s).as("the state as node %s applied it", id).isEqualTo(first);
            }
            long cas = Long.parseLong(first.get(0));
            long perNode = 0;
            for (int i = 1; i <= IDS.size(); i++) {
                perNode += first.get(i) == null ? 0 : Long.parseLong(first.get(i));
            }
            assertThat(perNode).as("the nodes' counters add up to the shared one: no transaction half applied")
                    .isEqualTo(cas);
            assertThat(first.get(IDS.size() + 1)).as("units reserved").isEqualTo("reserved=" + cas);
            // no client was sending when the follower was killed; an EXEC answered TRYAGAIN while
            // the group changed may still have been applied (see the README on TRYAGAIN)
            assertThat(cas).as("applied transactions against acknowledged ones (%d TRYAGAIN)", tryAgain.get())
                    .isBetween(acknowledged.get(), acknowledged.get() + tryAgain.get());
        } finally {
            pool.shutdownNow();
            nodes.values().forEach(StoreProcess::close);
        }
    }

    /** On each node of {@code ids} one client makes {@code commits} watched transactions. */
    private static void runOnAll(ExecutorService pool, Map<String, StoreProcess> nodes, List<String> ids, int commits,
                                 AtomicLong acknowledged, AtomicLong tryAgain) throws Exception {
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<?>> runs = new ArrayList<>();
        for (String id : ids) {
            StoreProcess node = nodes.get(id);
            runs.add(pool.submit(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                int done = 0;
                try (Jedis j = jedis(node)) {
                    while (done < commits && System.nanoTime() < deadline && !failed.get()) {
                        try {
                            j.watch(CAS);
                            String v = j.get(CAS);
                            Transaction t = j.multi();
                            t.set(CAS, Long.toString((v == null ? 0 : Long.parseLong(v)) + 1));
                            t.incr("txg:" + id);
                            t.sendCommand(Inv.RESERVE, SKU, "1", "txg-" + id + "-" + REQUESTS.incrementAndGet());
                            List<Object> r = t.exec();
                            if (r != null) {
                                assertThat(r.get(2)).as("a reservation inside EXEC on %s", id).isInstanceOf(Long.class);
                                acknowledged.incrementAndGet();
                                done++;
                            }
                        } catch (JedisDataException e) {
                            // TRYAGAIN while the group changes: the transaction did not run, try again
                            assertThat(e.getMessage()).startsWith("TRYAGAIN");
                            tryAgain.incrementAndGet();
                            j.unwatch();
                        }
                    }
                } catch (JedisConnectionException e) {
                    failed.set(true);
                    throw e;
                }
                assertThat(done).as("transactions through %s", id).isEqualTo(commits);
                return null;
            }));
        }
        for (Future<?> f : runs) {
            f.get(120, TimeUnit.SECONDS);
        }
    }

    /** The shared counter, the node counters and the SKU's reserved units, as {@code node} has them. */
    private static List<String> state(StoreProcess node) {
        try (Jedis j = jedis(node)) {
            List<String> out = new ArrayList<>(j.mget(CAS, "txg:n1", "txg:n2", "txg:n3"));
            List<?> stock = (List<?>) j.sendCommand(Inv.GET, SKU);
            out.add("reserved=" + stock.get(5));
            return out;
        }
    }

    private static String leader(Map<String, StoreProcess> nodes) {
        String[] leader = new String[1];
        await("a leader").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (Map.Entry<String, StoreProcess> e : nodes.entrySet()) {
                try (Jedis j = jedis(e.getValue())) {
                    if (j.info("replication").contains("role:master")) {
                        leader[0] = e.getKey();
                        return true;
                    }
                }
            }
            return false;
        });
        return leader[0];
    }

    private static Jedis jedis(StoreProcess node) {
        return new Jedis("127.0.0.1", node.port(), 30_000);
    }
}
