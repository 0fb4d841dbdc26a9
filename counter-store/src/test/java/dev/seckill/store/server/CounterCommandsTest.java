package dev.seckill.store.server;

import static dev.seckill.store.server.Inv.errorOf;
import static dev.seckill.store.server.TestStore.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.KeyValue;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

/**
 * The plain durable 64-bit counters, through Lettuce's ordinary typed API: a Redis client works
 * unchanged, and a value that is not a signed 64-bit integer is refused as Redis refuses it.
 */
@Timeout(30)
class CounterCommandsTest {
    private static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";

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
    void setThenGetReturnsTheValue() {
        String key = unique("likes");

        assertThat(redis.set(key, "42")).isEqualTo("OK");

        assertThat(redis.get(key)).isEqualTo("42");
        assertThat(redis.set(key, "-7")).isEqualTo("OK");
        assertThat(redis.get(key)).isEqualTo("-7");
    }

    @Test
    void getOfAMissingKeyIsNil() {
        assertThat(redis.get(unique("missing"))).isNull();
    }

    @Test
    void incrementsAndDecrementsStartFromZero() {
        String key = unique("views");

        assertThat(redis.incr(key)).isEqualTo(1);
        assertThat(redis.incr(key)).isEqualTo(2);
        assertThat(redis.incrby(key, 10)).isEqualTo(12);
        assertThat(redis.decr(key)).isEqualTo(11);
        assertThat(redis.decrby(key, 20)).isEqualTo(-9);
        assertThat(redis.incrby(key, -1)).isEqualTo(-10);
        assertThat(redis.decr(unique("fresh"))).isEqualTo(-1);
        assertThat(redis.decrby(unique("fresh"), 5)).isEqualTo(-5);

        assertThat(redis.get(key)).isEqualTo("-10");
    }

    @Test
    void holdsTheWholeSigned64BitRange() {
        String max = unique("max");
        String min = unique("min");

        redis.set(max, Long.toString(Long.MAX_VALUE - 1));
        redis.set(min, Long.toString(Long.MIN_VALUE + 1));

        assertThat(redis.incr(max)).isEqualTo(Long.MAX_VALUE);
        assertThat(redis.decr(min)).isEqualTo(Long.MIN_VALUE);
        assertThat(redis.get(min)).isEqualTo("-9223372036854775808");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1.5", "", " 1", "1 ", "+1", "01", "-", "0x10", "9223372036854775808", "99999999999999999999"})
    void setRefusesWhatIsNotASigned64BitIntegerAndKeepsTheOldValue(String value) {
        String key = unique("balance");
        redis.set(key, "5");

        assertThat(errorOf(() -> redis.set(key, value))).isEqualTo(NOT_AN_INTEGER);

        assertThat(redis.get(key)).isEqualTo("5");
    }

    @Test
    void incrbyAndDecrbyRefuseANonIntegerAmount() {
        String key = unique("balance");
        redis.set(key, "5");

        assertThat(errorOf(() -> redis.dispatch(Inv.keyword("INCRBY"), new ReplyTree(), Inv.args(key, "two"))))
                .isEqualTo(NOT_AN_INTEGER);
        assertThat(errorOf(() -> redis.dispatch(Inv.keyword("DECRBY"), new ReplyTree(), Inv.args(key, "1e3"))))
                .isEqualTo(NOT_AN_INTEGER);

        assertThat(redis.get(key)).isEqualTo("5");
    }

    @Test
    void anOverflowIsRefusedAndKeepsTheValue() {
        String max = unique("overflow-max");
        String min = unique("overflow-min");
        redis.set(max, Long.toString(Long.MAX_VALUE));
        redis.set(min, Long.toString(Long.MIN_VALUE));

        assertThat(errorOf(() -> redis.incr(max))).isEqualTo("ERR increment or decrement would overflow");
        assertThat(errorOf(() -> redis.incrby(max, Long.MAX_VALUE))).isEqualTo("ERR increment or decrement would overflow");
        assertThat(errorOf(() -> redis.decr(min))).isEqualTo("ERR increment or decrement would overflow");
        assertThat(errorOf(() -> redis.decrby(min, 1))).isEqualTo("ERR increment or decrement would overflow");
        assertThat(errorOf(() -> redis.decrby(unique("any"), Long.MIN_VALUE))).isEqualTo("ERR decrement would overflow");

        assertThat(redis.get(max)).isEqualTo(Long.toString(Long.MAX_VALUE));
        assertThat(redis.get(min)).isEqualTo(Long.toString(Long.MIN_VALUE));
    }

    @Test
    void delRemovesKeysAndCountsThoseThatExisted() {
        String a = unique("del");
        String b = unique("del");
        redis.set(a, "1");
        redis.set(b, "2");

        assertThat(redis.del(a, b, unique("never"))).isEqualTo(2);

        assertThat(redis.get(a)).isNull();
        assertThat(redis.exists(a, b)).isZero();
        assertThat(redis.del(a)).isZero();
    }

    @Test
    void existsCountsEveryNamedKeyThatExistsAsRedisDoes() {
        String a = unique("exists");
        String b = unique("exists");
        redis.set(a, "1");
        redis.incr(b);

        assertThat(redis.exists(a)).isEqualTo(1);
        assertThat(redis.exists(a, b, unique("never"))).isEqualTo(2);
        assertThat(redis.exists(a, a)).as("a key named twice counts twice").isEqualTo(2);
    }

    @Test
    void mgetAnswersEachValueInOrderWithNilForMissingKeys() {
        String a = unique("mget");
        String b = unique("mget");
        String missing = unique("mget-missing");
        redis.set(a, "1");
        redis.set(b, "2");

        assertThat(redis.mget(a, missing, b)).containsExactly(
                KeyValue.just(a, "1"), KeyValue.empty(missing), KeyValue.just(b, "2"));
    }

    /** DBSIZE counts the keys GET and EXISTS see: counters, not SKUs (INV.SCAN lists those). */
    @Test
    void dbsizeCountsCountersNotSkus() {
        long before = redis.dbsize();
        String counter = unique("dbsize");
        String sku = unique("dbsize-sku");

        redis.incr(counter);
        assertThat(redis.dbsize()).isEqualTo(before + 1);
        store.inv().create(sku, 5);
        assertThat(redis.exists(sku)).as("a SKU is no key").isZero();
        assertThat(redis.dbsize()).isEqualTo(before + 1);
        redis.del(counter);
        assertThat(redis.dbsize()).isEqualTo(before);
    }

    @Test
    void aWrongNumberOfArgumentsIsRefused() {
        assertThat(errorOf(() -> redis.dispatch(Inv.keyword("GET"), new ReplyTree(), Inv.args("a", "b"))))
                .isEqualTo("ERR wrong number of arguments for 'get' command");
        assertThat(errorOf(() -> redis.dispatch(Inv.keyword("SET"), new ReplyTree(), Inv.args("a"))))
                .isEqualTo("ERR wrong number of arguments for 'set' command");
        assertThat(errorOf(() -> redis.dispatch(Inv.keyword("INCR"), new ReplyTree(), Inv.args())))
                .isEqualTo("ERR wrong number of arguments for 'incr' command");
        assertThat(errorOf(() -> redis.dispatch(Inv.keyword("MGET"), new ReplyTree(), Inv.args())))
                .isEqualTo("ERR wrong number of arguments for 'mget' command");
        assertThat(errorOf(() -> redis.dispatch(Inv.keyword("DBSIZE"), new ReplyTree(), Inv.args("x"))))
                .isEqualTo("ERR wrong number of arguments for 'dbsize' command");
    }
}
