package dev.seckill.store;

import io.lettuce.core.api.async.RedisAsyncCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.seckill.store.StoreClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM under load: the store's shutdown hook stops taking work, answers what it accepted and
 * stops the log, and the process exits promptly. Clients in the middle of a request get an answer
 * or a closed connection, never a hang, and every command that was answered is there after a
 * restart (with request ids still deduplicated).
 *
 * <p>Exit code: a JVM that ends because of SIGTERM exits with 128 + 15 = <b>143</b>, after its
 * shutdown hooks have run (the hook here does not call {@code halt}, and {@code main} never
 * returns by itself), so 143 is what the store's process reports on a clean SIGTERM stop.
 */
class GracefulShutdownIT {
    private static final long MAIN_STOCK = 3_000;
    private static final long HOT_STOCK = 200;
    private static final String COUNTER = "graceful:counter";
    /** SIGTERM exit status of a JVM: 128 + SIGTERM (15). */
    private static final int SIGTERM_EXIT = 143;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sigtermUnderLoadExitsPromptlyAndKeepsEveryAnsweredCommand() throws Exception {
        try (StoreProcess store = new StoreProcess("graceful-shutdown").start()) {
            AckLedger ledger = new AckLedger(COUNTER, 1_000);
            String main = "main";
            String hot = "hot";
            try (StoreClient c = new StoreClient(store)) {
                RedisAsyncCommands<String, String> a = c.connect().async();
                assertThat(get(StoreClient.create(a, main, MAIN_STOCK))).isEqualTo("OK");
                assertThat(get(StoreClient.create(a, hot, HOT_STOCK))).isEqualTo("OK");
            }
            ledger.totals.put(main, MAIN_STOCK);
            ledger.totals.put(hot, HOT_STOCK);

            ReserveLoad load;
            long stopMillis;
            int exit;
            try (StoreClient loadClient = new StoreClient(store)) {
                load = new ReserveLoad(loadClient, "g", List.of(main, hot), new double[] {0.7, 0.3}, COUNTER, 2_000)
                        .start(8);
                await("half the main stock acknowledged").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(2))
                        .until(() -> load.unitsAcked(main) >= MAIN_STOCK / 2 || load.finished());
                assertThat(load.finished()).as("the load ended before SIGTERM").isFalse();
                long t0 = System.nanoTime();
                store.sendTerm();
                exit = store.awaitExit(Duration.ofSeconds(15));
                stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                // the process is gone: every client must have its answer or its failure by now
                assertThat(load.awaitFinished(Duration.ofSeconds(10)))
                        .as("clients mid-request got an answer or a closed connection").isTrue();
            }
            System.out.printf("SIGTERM: exit code %d after %d ms; %d sent, %d answered (%d units of %s), "
                    + "%d unanswered, %d INCR sent%n", exit, stopMillis, load.sent.size(), load.answered.size(),
                    load.unitsAcked(main), main, load.unanswered.size(), load.incrSent.get());
            load.failures.forEach((t, why) -> System.out.printf("  thread %d cut off at %s%n", t, why));
            assertThat(exit).as("exit code of the store after SIGTERM; see %s", store.logFile())
                    .isEqualTo(SIGTERM_EXIT);
            assertThat(load.unexpected).as("unexpected replies").isEmpty();

            store.start();
            try (StoreClient c = new StoreClient(store)) {
                AckLedger.CutOff cut = ledger.verifyAfterRestart(c.connect().async(), load, List.of(main, hot));
                // a graceful stop answers everything it took in before it closes a connection: a
                // request that got no answer was never applied (unlike after kill -9)
                assertThat(cut.appliedBeforeStop())
                        .as("requests the store applied during the SIGTERM stop but never answered")
                        .isEmpty();
                assertThat(cut.counter()).as("counter: every INCR applied was answered")
                        .isEqualTo(ledger.maxIncrAcked);
            }
        }
    }
}
