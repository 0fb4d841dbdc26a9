package dev.seckill.store;

import dev.seckill.store.StoreClient.Answer;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.seckill.store.StoreClient.answer;
import static dev.seckill.store.StoreClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Recovery from a snapshot plus the log behind it. With {@code --snapshot-every 50} the store
 * snapshots (and purges its log) many times while thousands of reserve / confirm / cancel /
 * deduct commands arrive in pipelined batches on several connections, with per-user limits, long
 * and short TTLs (some expire), counters and a partly acknowledged change feed. Once the load has
 * stopped the whole visible state is recorded, the store is killed with {@code kill -9} and
 * restarted, and the state must be exactly the same: every SKU, every reservation, the change
 * feed, counters, per-user holdings, and the remembered answers of request ids. Two cycles, so the
 * second restart recovers from a snapshot taken by a process that itself recovered.
 */
class SnapshotRecoveryIT {
    private static final int SKUS = 20;
    private static final long STOCK = 300;
    private static final int USERS = 30;
    private static final long USER_LIMIT = 6;
    private static final int CONNECTIONS = 4;
    private static final int BATCHES = 60;
    private static final int BATCH = 100;
    private static final Set<String> EXPECTED_REFUSALS =
            Set.of("SOLDOUT", "INSUFFICIENT", "LIMIT", "NOSUCHRESERVATION", "EXPIRED", "CANCELLED", "CONFIRMED");

    /** Every command the load sent, with its first answer, to retry after the restart. */
    private record Sent(List<String> args, Answer answer) {}

    private final Random rnd = new Random(42);
    private final List<Sent> history = new ArrayList<>();
    private final List<String> reqIds = new ArrayList<>();
    /** Request ids whose command was answered: confirm and cancel only aim at these. */
    private final List<String> settled = new ArrayList<>();
    private final List<String> shortTtl = new ArrayList<>();
    private final List<String> limitProbes = new ArrayList<>();
    private int nextId;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void stateAfterKillNineEqualsStateBeforeWhenRecoveringFromSnapshots() throws Exception {
        try (StoreProcess store = new StoreProcess("snapshot-recovery", "--snapshot-every", "50").start()) {
            try (StoreClient c = new StoreClient(store)) {
                RedisAsyncCommands<String, String> a = c.connect().async();
                for (int s = 0; s < SKUS; s++) {
                    assertThat(get(StoreClient.create(a, sku(s), STOCK))).isEqualTo("OK");
                }
            }
            for (int cycle = 1; cycle <= 2; cycle++) {
                Map<String, Object> before;
                try (StoreClient c = new StoreClient(store)) {
                    work(c, cycle);
                    RedisAsyncCommands<String, String> a = c.connect().async();
                    awaitShortTtlExpired(a);
                    probeLimits(a, "before-" + cycle);
                    await("a snapshot was taken during the load").atMost(Duration.ofSeconds(30))
                            .until(() -> Long.parseLong(StoreClient.info(a, "persistence").get("last_snapshot_index")) >= 0);
                    before = visibleState(a);
                    assertThat(Long.parseLong((String) before.get("INFO reservations_expired")))
                            .as("short-TTL reservations expired").isPositive();
                    System.out.printf("cycle %d: %d commands sent so far, persistence before kill: %s%n", cycle,
                            history.size(), StoreClient.info(a, "persistence"));
                }
                store.killHard();
                store.start();

                try (StoreClient c = new StoreClient(store)) {
                    RedisAsyncCommands<String, String> a = c.connect().async();
                    Map<String, String> persistence = StoreClient.info(a, "persistence");
                    System.out.printf("cycle %d: persistence after restart: %s%n", cycle, persistence);
                    assertThat(Long.parseLong(persistence.get("last_snapshot_index")))
                            .as("INFO persistence last_snapshot_index after restart").isGreaterThanOrEqualTo(0);
                    assertThat(snapshotFiles(store.dataDir())).as("snapshot files under %s", store.dataDir())
                            .isNotEmpty();
                    if (cycle > 1) {
                        // the log segments written before the first restart were purged behind a
                        // snapshot: this state cannot have come from replaying the log alone
                        assertThat(Long.parseLong(persistence.get("log_start_index")))
                                .as("INFO persistence log_start_index after the second restart").isPositive();
                    }

                    Map<String, Object> after = visibleState(a);
                    assertThat(after.keySet()).isEqualTo(before.keySet());
                    before.forEach((what, value) -> assertThat(after.get(what)).as(what).isEqualTo(value));

                    // per-user holdings came back: the same -LIMIT <held> for every user and SKU
                    List<Answer> beforeProbes = probeAnswers("before-" + cycle);
                    probeLimits(a, "after-" + cycle);
                    assertThat(probeAnswers("after-" + cycle)).isEqualTo(beforeProbes);

                    // remembered answers came back: every retry of a reserve, deduct, confirm or cancel
                    // gets the first answer and moves nothing
                    Map<String, Object> stockBefore = stock(a);
                    List<Sent> retried = history.stream().filter(s -> s.args().get(0).startsWith("INV.")
                            && !s.args().get(0).equals("INV.RESTOCK")).collect(Collectors.toList());
                    List<CompletableFuture<?>> retries = new ArrayList<>();
                    retried.forEach(s -> retries.add(send(a, s.args())));
                    for (int i = 0; i < retried.size(); i++) {
                        assertThat(answer(retries.get(i))).as("retry of %s", retried.get(i).args())
                                .isEqualTo(retried.get(i).answer());
                    }
                    assertThat(stock(a)).as("stock after retrying every command").isEqualTo(stockBefore);
                    stockBefore.forEach((sku, s) -> {
                        @SuppressWarnings("unchecked")
                        Map<String, Long> m = (Map<String, Long>) s;
                        AckLedger.assertInvariant(sku, m);
                    });
                }
            }
        }
    }

    /** Thousands of commands in pipelined batches of {@value #BATCH}, spread over the connections. */
    private void work(StoreClient c, int cycle) {
        List<RedisAsyncCommands<String, String>> conns = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            conns.add(c.connect().async());
        }
        if (cycle > 1) {
            for (int s = 0; s < SKUS; s++) { // stock again, so the second cycle sells too
                get(StoreClient.restock(conns.get(0), sku(s), STOCK));
            }
        }
        List<List<String>> pending = new ArrayList<>();
        List<CompletableFuture<?>> futures = new ArrayList<>();
        int start = settled.size();
        for (int b = 0; b < BATCHES; b++) {
            RedisAsyncCommands<String, String> a = conns.get(b % CONNECTIONS);
            for (int i = 0; i < BATCH; i++) {
                List<String> cmd = nextCommand(cycle, start);
                pending.add(cmd);
                futures.add(send(a, cmd));
            }
            if (b % CONNECTIONS == CONNECTIONS - 1) {
                collect(pending, futures);
            }
            if (b == BATCHES / 2) {
                // the sync acknowledges half the feed: the snapshot must keep ackedSeq and the rest
                long last = Long.parseLong(StoreClient.info(a, "inventory").get("feed_last_seq"));
                get(StoreClient.ack(a, last / 2));
            }
        }
        collect(pending, futures);
        Map<String, Long> outcomes = history.stream().collect(Collectors.groupingBy(
                h -> h.args().get(0) + (h.answer().ok() ? " ok" : " -" + h.answer().code()),
                TreeMap::new, Collectors.counting()));
        System.out.printf("cycle %d: answers so far %s%n", cycle, outcomes);
    }

    private void collect(List<List<String>> pending, List<CompletableFuture<?>> futures) {
        for (int i = 0; i < pending.size(); i++) {
            Answer ans = answer(futures.get(i));
            if (!ans.ok()) {
                assertThat(EXPECTED_REFUSALS).as("answer to %s", pending.get(i)).contains(ans.code());
            }
            history.add(new Sent(pending.get(i), ans));
            String op = pending.get(i).get(0);
            if (op.equals("INV.RESERVE") || op.equals("INV.DEDUCT")) {
                settled.add(pending.get(i).get(3));
            }
        }
        pending.clear();
        futures.clear();
    }

    private List<String> nextCommand(int cycle, int firstOfCycle) {
        int roll = rnd.nextInt(100);
        int known = settled.size() - firstOfCycle;
        if (roll < 60 || known < 50) {
            String id = "c" + cycle + "-" + nextId++;
            List<String> cmd = new ArrayList<>(List.of(roll < 57 ? "INV.RESERVE" : "INV.DEDUCT",
                    sku(rnd.nextInt(SKUS)), Integer.toString(1 + rnd.nextInt(3)), id));
            if (rnd.nextInt(4) == 0) {
                cmd.addAll(List.of("USER", "u" + rnd.nextInt(USERS), "LIMIT", Long.toString(USER_LIMIT)));
            }
            if (cmd.get(0).equals("INV.RESERVE")) {
                int ttl = rnd.nextInt(20);
                if (ttl < 4) {
                    cmd.addAll(List.of("TTL", "600000"));
                } else if (ttl == 4) {
                    cmd.addAll(List.of("TTL", "300"));
                    shortTtl.add(id);
                }
            }
            reqIds.add(id);
            return cmd;
        }
        String target = settled.get(firstOfCycle + rnd.nextInt(known));
        if (roll < 75) {
            return List.of("INV.CONFIRM", target);
        }
        if (roll < 90) {
            return List.of("INV.CANCEL", target);
        }
        if (roll < 97) {
            return List.of("INCRBY", "ctr" + rnd.nextInt(5), Integer.toString(1 + rnd.nextInt(9)));
        }
        return List.of("INV.RESTOCK", sku(rnd.nextInt(SKUS)), Integer.toString(5));
    }

    /** The short-TTL reservations have all come to an end (most by expiry), so nothing moves later. */
    private void awaitShortTtlExpired(RedisAsyncCommands<String, String> a) {
        await("short-TTL reservations expired").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    List<CompletableFuture<Map<String, Object>>> fs = new ArrayList<>();
                    shortTtl.forEach(id -> fs.add(StoreClient.reservation(a, id)));
                    return fs.stream().map(StoreClient::get)
                            .allMatch(r -> r == null || !"RESERVED".equals(r.get("state")));
                });
    }

    /**
     * Every user asks for one unit more than the limit (with new request ids): always refused with
     * {@code -LIMIT <held>}, which shows what the store thinks the user holds, changing nothing.
     */
    private void probeLimits(RedisAsyncCommands<String, String> a, String tag) {
        for (int u = 0; u < USERS; u++) {
            for (int s = 0; s < 3; s++) {
                String id = "probe-" + tag + "-u" + u + "-" + sku(s);
                limitProbes.add(id);
                history.add(new Sent(List.of("INV.RESERVE", sku(s), Long.toString(USER_LIMIT + 1), id, "USER", "u" + u,
                        "LIMIT", Long.toString(USER_LIMIT)), null));
            }
        }
        List<Sent> probes = history.subList(history.size() - USERS * 3, history.size());
        List<CompletableFuture<?>> fs = new ArrayList<>();
        probes.forEach(p -> fs.add(send(a, p.args())));
        for (int i = 0; i < probes.size(); i++) {
            Answer ans = answer(fs.get(i));
            assertThat(ans.code()).as("probe %s", probes.get(i).args()).isEqualTo("LIMIT");
            probes.set(i, new Sent(probes.get(i).args(), ans));
        }
    }

    /** The answers of one set of probes, in user order (ignoring the request id). */
    private List<Answer> probeAnswers(String tag) {
        return history.stream().filter(s -> s.args().size() > 3 && s.args().get(3).startsWith("probe-" + tag + "-"))
                .map(Sent::answer).collect(Collectors.toList());
    }

    /**
     * Everything a client can see that must survive: every SKU, every reservation made, the
     * whole change feed, the counters, and the book's figures in INFO.
     */
    private Map<String, Object> visibleState(RedisAsyncCommands<String, String> a) {
        Map<String, Object> state = new LinkedHashMap<>();
        stock(a).forEach((sku, s) -> state.put("INV.GET " + sku, s));
        Map<String, CompletableFuture<Map<String, Object>>> rs = new LinkedHashMap<>();
        reqIds.forEach(id -> rs.put(id, StoreClient.reservation(a, id)));
        rs.forEach((id, f) -> state.put("INV.RESERVATION " + id, get(f)));
        state.put("INV.CHANGES 0", get(a.dispatch(keyword("INV.CHANGES"), new NestedMultiOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add(0).add(100_000))));
        for (int i = 0; i < 5; i++) {
            state.put("GET ctr" + i, get(a.get("ctr" + i)));
        }
        Map<String, String> inventory = StoreClient.info(a, "inventory");
        Map<String, String> stats = StoreClient.info(a, "stats");
        Stream.of("skus", "counters", "pending_reservations", "remembered_request_ids", "feed_rows_unacknowledged",
                "feed_last_seq", "feed_acked_seq").forEach(k -> state.put("INFO " + k, inventory.get(k)));
        stats.forEach((k, v) -> {
            if (k.startsWith("reservations_") || k.startsWith("rejects_")) {
                state.put("INFO " + k, v);
            }
        });
        return state;
    }

    private static Map<String, Object> stock(RedisAsyncCommands<String, String> a) {
        Map<String, CompletableFuture<Map<String, Object>>> fs = new LinkedHashMap<>();
        StoreClient.allSkus(a).forEach(sku -> fs.put(sku, StoreClient.stock(a, sku)));
        Map<String, Object> out = new LinkedHashMap<>();
        fs.forEach((sku, f) -> {
            Map<String, Long> s = new LinkedHashMap<>();
            get(f).forEach((k, v) -> s.put(k, StoreClient.asLong(v)));
            out.put(sku, s);
        });
        return out;
    }

    private static List<Path> snapshotFiles(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().startsWith("snapshot."))
                    .collect(Collectors.toList());
        }
    }

    /** Sends any command; the answer is an integer, a status, a bulk string or an error. */
    private static CompletableFuture<?> send(RedisAsyncCommands<String, String> a, List<String> cmd) {
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
        cmd.subList(1, cmd.size()).forEach(args::add);
        return a.dispatch(keyword(cmd.get(0)), new NestedMultiOutput<>(StringCodec.UTF8), args)
                .toCompletableFuture()
                .thenApply(list -> list.size() == 1 ? list.get(0) : list);
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

    private static String sku(int i) {
        return "snap-sku-" + i;
    }
}
