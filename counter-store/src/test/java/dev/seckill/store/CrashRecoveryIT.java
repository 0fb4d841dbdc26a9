package dev.seckill.store;

import io.lettuce.core.api.async.RedisAsyncCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static dev.seckill.store.StoreClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Invariants 3 and 4 against a real process and a real {@code kill -9}: every acknowledged
 * reservation, refusal and INCR survives, nothing is oversold, and request ids stay deduplicated
 * across the crash, for requests that were answered and for requests caught mid-flight.
 *
 * <p>Each round creates two SKUs with stock well below demand: a "hot" one that sells out early
 * (so refusals are acknowledged before the crash) and a "main" one that is half sold when the
 * store is killed. Eight clients (half waiting for each reply, half pipelining) buy from both and
 * INCR a counter. After the restart everything acknowledged in every round so far is checked,
 * then the next round adds load on new SKUs and kills the store again.
 */
class CrashRecoveryIT {
    private static final int ROUNDS = 3;
    private static final int THREADS = 8;
    private static final long MAIN_STOCK = 3_000;
    private static final long HOT_STOCK = 200;
    private static final long RESTOCK = 1_000;
    private static final String COUNTER = "crash:counter";

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void acknowledgedWritesSurviveKillNineAndRequestIdsStayDeduplicated() throws Exception {
        try (StoreProcess store = new StoreProcess("crash-recovery").start()) {
            AckLedger ledger = new AckLedger(COUNTER, RESTOCK);
            for (int round = 1; round <= ROUNDS; round++) {
                String main = "main-" + round;
                String hot = "hot-" + round;
                try (StoreClient c = new StoreClient(store)) {
                    RedisAsyncCommands<String, String> a = c.connect().async();
                    assertThat(get(StoreClient.create(a, main, MAIN_STOCK))).isEqualTo("OK");
                    assertThat(get(StoreClient.create(a, hot, HOT_STOCK))).isEqualTo("OK");
                }
                ledger.totals.put(main, MAIN_STOCK);
                ledger.totals.put(hot, HOT_STOCK);

                ReserveLoad load;
                try (StoreClient loadClient = new StoreClient(store)) {
                    // demand: 8 threads x 2000 requests x 2.5 units on average, far above the stock
                    load = new ReserveLoad(loadClient, "r" + round, List.of(main, hot), new double[] {0.7, 0.3},
                            COUNTER, 2_000).start(THREADS);
                    await("half the main stock acknowledged").atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(2))
                            .until(() -> load.unitsAcked(main) >= MAIN_STOCK / 2 || load.finished());
                    assertThat(load.finished()).as("the load ended before the kill").isFalse();
                    long pid = store.pid();
                    store.killHard();
                    assertThat(load.awaitFinished(Duration.ofSeconds(45)))
                            .as("every client got an answer or a failure after kill -9 of pid %d", pid).isTrue();
                }
                assertThat(load.unexpected).as("unexpected replies").isEmpty();
                assertThat(load.unanswered).as("requests cut off by the crash").isNotEmpty();
                System.out.printf("round %d: %d sent, %d answered (%d units of %s), %d unanswered, %d INCR sent%n",
                        round, load.sent.size(), load.answered.size(), load.unitsAcked(main), main,
                        load.unanswered.size(), load.incrSent.get());

                store.start();
                try (StoreClient c = new StoreClient(store)) {
                    ledger.verifyAfterRestart(c.connect().async(), load, List.of(main, hot));
                }
            }
        }
    }

    /**
     * The ready line means ready: a store restarted on a long log (no snapshot to shorten it) must
     * not print it while it is still applying that log and refusing commands with TRYAGAIN.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void answersTheFirstCommandAfterTheReadyLineOfARestart() throws Exception {
        int threads = 4;
        int incrsPerThread = 2_000;
        try (StoreProcess store = new StoreProcess("ready-after-replay", "--snapshot-every", "1000000").start()) {
            try (StoreClient c = new StoreClient(store)) {
                // thousands of log entries of a command or two each: waiting clients get no batching
                List<Thread> writers = new ArrayList<>();
                Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
                for (int t = 0; t < threads; t++) {
                    var sync = c.connect().sync();
                    Thread w = new Thread(() -> {
                        try {
                            for (int i = 0; i < incrsPerThread; i++) {
                                sync.incr("replay:counter");
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    });
                    writers.add(w);
                    w.start();
                }
                for (Thread w : writers) {
                    w.join(60_000);
                }
                assertThat(failures).isEmpty();
                System.out.println("log before the kill: " + StoreClient.info(c.connect().async(), "persistence"));
            }
            store.killHard();
            store.start();
            try (StoreClient c = new StoreClient(store)) {
                RedisAsyncCommands<String, String> a = c.connect().async();
                assertThat(get(a.incr("replay:counter"))).as("first command after the ready line")
                        .isEqualTo(threads * incrsPerThread + 1L);
            }
        }
    }
}
