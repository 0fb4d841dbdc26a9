package dev.seckill.store.server;

import static dev.seckill.store.server.TestStore.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.store.server.RespSocket.Err;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * MULTI / EXEC / DISCARD and WATCH through the transaction APIs of Jedis and Lettuce, unmodified:
 * a transaction is applied once and as a whole, nothing interleaves with it, and WATCH makes a
 * check-and-set that never loses an update. The exact answers, error texts included, are checked
 * against a real Redis by {@link RedisDifferentialTest}.
 */
@Timeout(120)
class TransactionTest {
    @TempDir
    static Path dataDir;
    static TestStore store;

    @BeforeAll
    static void start() throws Exception {
        store = TestStore.start(dataDir);
    }

    @AfterAll
    static void stop() {
        store.close();
    }

    private Jedis jedis() {
        return new Jedis("127.0.0.1", store.port());
    }

    /**
     * What a client does when a transaction fails: it sends it again. Before the store knew MULTI,
     * the "queued" commands ran one by one and EXEC failed, so the retry applied them twice.
     */
    @Test
    void aJedisTransactionThatIsRetriedOnFailureIsAppliedOnce() {
        String views = unique("tx-views");
        String stock = unique("tx-stock");
        try (Jedis setup = jedis()) {
            setup.set(stock, "10");
        }
        List<Object> results = null;
        for (int attempt = 0; attempt < 2 && results == null; attempt++) {
            try (Jedis j = jedis()) {
                Transaction t = j.multi();
                t.incr(views);
                t.decrBy(stock, 3);
                results = t.exec();
            } catch (JedisException e) {
                // the transaction failed: a client tries it again
            }
        }
        try (Jedis j = jedis()) {
            assertThat(j.mget(views, stock)).as("applied once").containsExactly("1", "7");
        }
        assertThat(results).containsExactly(1L, 7L);
    }

    @Test
    void aLettuceTransactionThatIsRetriedOnFailureIsAppliedOnce() throws Exception {
        String views = unique("tx-lettuce");
        TransactionResult result = null;
        for (int attempt = 0; attempt < 2 && result == null; attempt++) {
            StatefulRedisConnection<String, String> c = store.connect();
            RedisAsyncCommands<String, String> async = c.async();
            // pipelined, as Lettuce's asynchronous API sends them
            RedisFuture<String> multi = async.multi();
            RedisFuture<Long> incr = async.incrby(views, 5);
            RedisFuture<TransactionResult> exec = async.exec();
            try {
                assertThat(multi.get(10, TimeUnit.SECONDS)).isEqualTo("OK");
                result = exec.get(10, TimeUnit.SECONDS);
                assertThat(incr.get(10, TimeUnit.SECONDS)).isEqualTo(5L);
            } catch (Exception e) {
                result = null; // failed: a client tries it again
            } finally {
                c.close();
            }
        }
        assertThat(store.redis().get(views)).as("applied once").isEqualTo("5");
        assertThat(result).isNotNull();
        assertThat(result.wasDiscarded()).isFalse();
        assertThat((Long) result.get(0)).isEqualTo(5L);
    }

    @Test
    void lettucesSynchronousTransactionAnswersEveryCommandInExec() {
        StatefulRedisConnection<String, String> c = store.connect();
        RedisCommands<String, String> r = c.sync();
        String key = unique("tx-sync");
        assertThat(r.multi()).isEqualTo("OK");
        r.set(key, "41");
        r.incr(key);
        r.get(key);
        TransactionResult result = r.exec();
        assertThat(result.wasDiscarded()).isFalse();
        assertThat(result.stream().toList()).containsExactly("OK", 42L, "42");
        assertThat(r.multi()).isEqualTo("OK");
        r.incr(key);
        assertThat(r.discard()).isEqualTo("OK");
        assertThat(r.get(key)).as("discarded").isEqualTo("42");
    }

    /**
     * Nothing interleaves with a transaction: while other clients increment the same counter as
     * fast as they can, GET INCR GET inside one EXEC always sees its own increment and no other.
     */
    @Test
    void noOtherCommandRunsInsideATransaction() throws Exception {
        String key = unique("tx-atomic");
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> hammers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hammers.add(pool.submit(() -> {
                    RedisAsyncCommands<String, String> a = store.connect().async();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!stop.get() && System.nanoTime() < deadline) {
                        List<RedisFuture<Long>> batch = new ArrayList<>();
                        for (int n = 0; n < 32; n++) {
                            batch.add(a.incr(key));
                        }
                        for (RedisFuture<Long> f : batch) {
                            f.get(10, TimeUnit.SECONDS);
                        }
                    }
                    return null;
                }));
            }
            try (Jedis j = jedis()) {
                for (int i = 0; i < 200; i++) {
                    Transaction t = j.multi();
                    t.get(key);
                    t.incr(key);
                    t.get(key);
                    List<Object> r = t.exec();
                    long before = r.get(0) == null ? 0 : Long.parseLong((String) r.get(0));
                    assertThat(r.get(1)).as("run %d", i).isEqualTo(before + 1);
                    assertThat(r.get(2)).as("run %d", i).isEqualTo(Long.toString(before + 1));
                }
            }
            stop.set(true);
            for (Future<?> h : hammers) {
                h.get(30, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    /**
     * The check-and-set WATCH is for: clients read a counter, compute, and write it back in a
     * watched transaction, retrying when EXEC answers nil. No update is lost.
     */
    @Test
    void watchedCheckAndSetLosesNoUpdate() throws Exception {
        String key = unique("tx-cas");
        int clients = 4;
        int updates = 40;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Integer>> retries = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                retries.add(pool.submit(() -> {
                    int conflicts = 0;
                    try (Jedis j = jedis()) {
                        for (int u = 0; u < updates; u++) {
                            while (true) {
                                j.watch(key);
                                String v = j.get(key);
                                long next = (v == null ? 0 : Long.parseLong(v)) + 1;
                                Transaction t = j.multi();
                                t.set(key, Long.toString(next));
                                if (t.exec() != null) {
                                    break;
                                }
                                conflicts++;
                                assertThat(conflicts).as("conflicts").isLessThan(100_000);
                            }
                        }
                    }
                    return conflicts;
                }));
            }
            int conflicts = 0;
            for (Future<Integer> f : retries) {
                conflicts += f.get(90, TimeUnit.SECONDS);
            }
            assertThat(store.redis().get(key)).isEqualTo(Integer.toString(clients * updates));
            assertThat(conflicts).as("the clients did compete").isPositive();
        } finally {
            pool.shutdownNow();
        }
    }

    /** WATCH covers the SKU of that name too: a reservation after the WATCH makes EXEC answer nil. */
    @Test
    void watchingASkuAbortsWhenItsStockMoves() {
        String sku = unique("tx-sku");
        Inv inv = store.inv();
        inv.create(sku, 10);
        try (Jedis j = jedis(); Jedis other = jedis()) {
            j.watch(sku);
            Transaction t = j.multi();
            t.incr(unique("tx-sku-sold"));
            assertThat(t.exec()).as("nothing moved").hasSize(1);

            j.watch(sku);
            other.sendCommand(JedisClientTest.Inv.RESERVE, sku, "2", unique("order"));
            t = j.multi();
            t.incr(unique("tx-sku-sold"));
            assertThat(t.exec()).as("the stock moved after WATCH").isNull();
        }
    }

    /** A transaction is one log entry: it may hold no more than one entry holds. */
    @Test
    void aTransactionLargerThanALogEntryIsRefusedWhole() throws Exception {
        String key = unique("tx-big");
        try (RespSocket s = store.socket()) {
            assertThat(s.call("MULTI")).isEqualTo("OK");
            String big = "x".repeat(600_000);
            assertThat(s.call("ECHO", big)).isEqualTo("QUEUED");
            assertThat(s.call("INCR", key)).isEqualTo("QUEUED");
            Object refused = s.call("ECHO", big);
            assertThat(refused).isInstanceOf(Err.class);
            assertThat(((Err) refused).line()).isEqualTo("ERR a transaction holds at most 4096 commands and "
                    + "1048576 bytes (it must fit one log entry)");
            assertThat(s.call("EXEC")).isEqualTo(new Err("EXECABORT Transaction discarded because of previous errors."));

            s.call("MULTI");
            for (int i = 0; i < 4096; i++) {
                s.send("INCR", key);
            }
            for (int i = 0; i < 4096; i++) {
                assertThat(s.read()).isEqualTo("QUEUED");
            }
            assertThat(s.call("INCR", key)).isInstanceOf(Err.class);
            assertThat(s.call("EXEC")).isEqualTo(new Err("EXECABORT Transaction discarded because of previous errors."));
            assertThat(s.call("GET", key)).as("nothing of either ran").isNull();
        }
    }
}
