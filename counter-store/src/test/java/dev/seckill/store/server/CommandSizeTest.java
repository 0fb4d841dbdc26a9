package dev.seckill.store.server;

import static dev.seckill.store.server.TestStore.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seckill.store.replication.EntryLimits;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A command larger than one log entry may hold is refused on the I/O thread with a clear error
 * and changes nothing; it never reaches the log, where Ratis would refuse the whole entry (every
 * other client's commands batched with it) and its leader would step down. Commands up to the cap
 * go through, each in an entry of its own when they would not fit together.
 */
@Timeout(120)
class CommandSizeTest {
    private static final int MB = 1_000_000;
    private static final int CAP = EntryLimits.MAX_COMMAND_BYTES;

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

    @Test
    void aDelOfSixOneMegabyteKeysIsRefusedAndEveryoneElsesWritesGoOnWithTheSameLeader() throws Exception {
        String[] keys = new String[6];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(unique("big") + "-", MB);
            assertThat(redis.set(keys[i], Integer.toString(i))).isEqualTo("OK");
        }
        String term = TestStore.info(redis, "replication").get("raft_term");
        String counter = unique("writes");
        int writers = 4;
        int perWriter = 500;
        CountDownLatch go = new CountDownLatch(1);
        List<List<RedisFuture<Long>>> writerFutures = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            RedisAsyncCommands<String, String> c = store.connect().async();
            List<RedisFuture<Long>> mine = new ArrayList<>();
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perWriter; i++) {
                    mine.add(c.incr(counter)); // pipelined: sent without waiting for answers
                }
            });
            t.start();
            threads.add(t);
            writerFutures.add(mine);
        }
        RedisAsyncCommands<String, String> big = store.connect().async();
        go.countDown();
        RedisFuture<Long> del = big.del(keys); // in the same moment as the writers' INCRs
        for (Thread t : threads) {
            t.join(30_000);
        }

        long expectedBytes = 5 + 6 * (4L + MB);
        assertThatThrownBy(() -> del.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(RedisCommandExecutionException.class)
                .cause().hasMessage("ERR command too large: " + expectedBytes + " bytes, the limit is " + CAP
                        + " (max-command-bytes)");
        long answered = 0;
        for (List<RedisFuture<Long>> mine : writerFutures) {
            assertThat(mine).hasSize(perWriter);
            for (RedisFuture<Long> f : mine) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isPositive(); // TRYAGAIN would throw here
                answered++;
            }
        }
        assertThat(answered).isEqualTo((long) writers * perWriter);
        assertThat(redis.get(counter)).isEqualTo(Long.toString((long) writers * perWriter));
        for (int i = 0; i < keys.length; i++) {
            assertThat(redis.get(keys[i])).as("nothing deleted").isEqualTo(Integer.toString(i));
        }
        var replication = TestStore.info(redis, "replication");
        assertThat(replication.get("raft_role")).isEqualTo("leader");
        assertThat(replication.get("raft_term")).as("no election").isEqualTo(term);
    }

    @Test
    void manyClientsSendingCommandsUpToTheCapAtOnceAllSucceed() throws Exception {
        int clients = 8;
        List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            connections.add(store.connect());
        }
        String term = TestStore.info(redis, "replication").get("raft_term");
        List<RedisFuture<Long>> answers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<List<RedisFuture<Long>>> sent = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            RedisAsyncCommands<String, String> c = connections.get(i).async();
            String[] atCap = keysOfTotal(unique("cap") + "-", CAP);
            String[] underCap = keysOfTotal(unique("under") + "-", CAP - 10_000);
            String almostABatch = key(unique("batch") + "-", 1_000_000);
            List<RedisFuture<Long>> mine = new ArrayList<>();
            sent.add(mine);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                mine.add(c.exists(almostABatch)); // an entry begun with this has no room for the next
                mine.add(c.del(atCap));
                mine.add(c.exists(underCap));
                mine.add(c.incr("cap-writes"));
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(30_000);
        }
        for (List<RedisFuture<Long>> mine : sent) {
            answers.addAll(mine);
        }
        assertThat(answers).hasSize(clients * 4);
        for (RedisFuture<Long> f : answers) {
            assertThat(f.get(60, TimeUnit.SECONDS)).isNotNegative();
        }
        assertThat(redis.get("cap-writes")).isEqualTo(Integer.toString(clients));
        assertThat(TestStore.info(redis, "replication").get("raft_term")).as("no election").isEqualTo(term);

        String[] overCap = keysOfTotal(unique("over") + "-", CAP + 1);
        assertThatThrownBy(() -> redis.del(overCap)).isInstanceOf(RedisCommandExecutionException.class)
                .hasMessageStartingWith("ERR command too large: " + (CAP + 1) + " bytes");
    }

    @Test
    void theCapIsInConfigGet() {
        assertThat(redis.configGet("max-command-bytes")).containsEntry("max-command-bytes", Integer.toString(CAP));
    }

    /** Four keys whose DEL (or EXISTS) takes exactly {@code total} bytes in a log entry. */
    private static String[] keysOfTotal(String prefix, int total) {
        int keyBytes = total - 5 - 4 * 4;
        int each = keyBytes / 4;
        return new String[] {key(prefix + "a", each), key(prefix + "b", each), key(prefix + "c", each),
                key(prefix + "d", keyBytes - 3 * each)};
    }

    private static String key(String prefix, int length) {
        return prefix + "x".repeat(length - prefix.length());
    }
}
