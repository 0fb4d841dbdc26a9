package dev.seckill.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inventory commands through Lettuce's dispatch API, with typed answers. Refusals arrive as
 * {@link RedisCommandExecutionException} whose message is the error line ({@code SOLDOUT},
 * {@code INSUFFICIENT 3}); {@link #errorOf} turns one into its message.
 */
final class Inv {
    private static final StringCodec CODEC = StringCodec.UTF8;

    private final RedisCommands<String, String> redis;

    Inv(StatefulRedisConnection<String, String> connection) {
        this.redis = connection.sync();
    }

    /** {@code INV.CREATE sku total} */
    String create(String sku, long total) {
        return redis.dispatch(InvCommand.CREATE, new StatusOutput<>(CODEC), args(sku, total));
    }

    /** {@code INV.RESTOCK sku delta}: the new available. */
    long restock(String sku, long delta) {
        return redis.dispatch(InvCommand.RESTOCK, new IntegerOutput<>(CODEC), args(sku, delta));
    }

    /** {@code INV.RESTOCK sku delta reqId}: the new available, or the first answer to {@code reqId}. */
    long restock(String sku, long delta, String reqId) {
        return redis.dispatch(InvCommand.RESTOCK, new IntegerOutput<>(CODEC), args(sku, delta, reqId));
    }

    /** {@code INV.GET sku}, or null if the SKU is unknown. */
    Stock get(String sku) {
        Map<String, Object> m = asMap(call(InvCommand.GET, sku));
        return m == null ? null : new Stock(num(m, "total"), num(m, "available"), num(m, "reserved"), num(m, "sold"));
    }

    /** {@code INV.RESERVE sku qty reqId [USER uid] [LIMIT n] [TTL ms]}: available after it. */
    long reserve(String sku, long qty, String reqId, Object... options) {
        return redis.dispatch(InvCommand.RESERVE, new IntegerOutput<>(CODEC), args(sku, qty, reqId, options));
    }

    /** {@code INV.RESERVE sku qty reqId [options] DETAIL}: the reservation with available and replayed. */
    Map<String, Object> reserveDetail(String sku, long qty, String reqId, Object... options) {
        return asMap(call(InvCommand.RESERVE, sku, qty, reqId, options, "DETAIL"));
    }

    /** {@code INV.DEDUCT sku qty reqId [options] DETAIL}: the sale with available and replayed. */
    Map<String, Object> deductDetail(String sku, long qty, String reqId, Object... options) {
        return asMap(call(InvCommand.DEDUCT, sku, qty, reqId, options, "DETAIL"));
    }

    /** {@code INV.DEDUCT sku qty reqId [USER uid] [LIMIT n]}: available after it. */
    long deduct(String sku, long qty, String reqId, Object... options) {
        return redis.dispatch(InvCommand.DEDUCT, new IntegerOutput<>(CODEC), args(sku, qty, reqId, options));
    }

    /** {@code INV.RESERVEALL reqId [USER uid] [LIMIT n] [TTL ms] ITEMS sku qty ...}, everything after reqId as given. */
    String reserveAll(String reqId, Object... optionsAndItems) {
        return redis.dispatch(InvCommand.RESERVEALL, new StatusOutput<>(CODEC), args(reqId, optionsAndItems));
    }

    String confirm(String reqId) {
        return redis.dispatch(InvCommand.CONFIRM, new StatusOutput<>(CODEC), args(reqId));
    }

    String cancel(String reqId) {
        return redis.dispatch(InvCommand.CANCEL, new StatusOutput<>(CODEC), args(reqId));
    }

    /** {@code INV.RESERVATION reqId} as field -> value, or null if unknown. */
    Map<String, Object> reservation(String reqId) {
        return asMap(call(InvCommand.RESERVATION, reqId));
    }

    /** {@code INV.SCAN cursor COUNT n} */
    ScanPage scan(String cursor, long count) {
        return scanPage(call(InvCommand.SCAN, cursor, "COUNT", count));
    }

    /** {@code INV.SCAN cursor} with the default count. */
    ScanPage scan(String cursor) {
        return scanPage(call(InvCommand.SCAN, cursor));
    }

    /** {@code INV.CHANGES afterSeq count} */
    Changes changes(long afterSeq, long count) {
        List<?> reply = (List<?>) call(InvCommand.CHANGES, afterSeq, count);
        List<List<Object>> rows = new ArrayList<>();
        for (Object row : (List<?>) reply.get(2)) {
            rows.add(new ArrayList<>((List<?>) row));
        }
        return new Changes((Long) reply.get(0), (Long) reply.get(1), rows);
    }

    /** {@code INV.ACK seq}: how many rows still wait for an acknowledgement. */
    long ack(long seq) {
        return redis.dispatch(InvCommand.ACK, new IntegerOutput<>(CODEC), args(seq));
    }

    /** Any command, answered as a {@link ReplyTree}: a Map for a RESP3 map, a List for an array. */
    Object call(ProtocolKeyword command, Object... arguments) {
        return redis.dispatch(command, new ReplyTree(), args(arguments));
    }

    /** Any command by name, e.g. one the store does not know or one with a wrong number of arguments. */
    Object call(String command, Object... arguments) {
        return call(keyword(command), arguments);
    }

    static ProtocolKeyword keyword(String name) {
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

    /** The error line a call was refused with; fails if it was not refused. */
    static String errorOf(ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).as("the call should have been refused").isInstanceOf(RedisCommandExecutionException.class);
        return t.getMessage();
    }

    /** A map reply (RESP3) or a flat key, value, ... array (RESP2) as a map; null stays null. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object reply) {
        if (reply == null) {
            return null;
        }
        if (reply instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        List<?> flat = (List<?>) reply;
        assertThat(flat.size() % 2).as("a flat map has pairs: %s", flat).isZero();
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            m.put((String) flat.get(i), flat.get(i + 1));
        }
        return m;
    }

    private static long num(Map<String, Object> m, String field) {
        assertThat(m).containsKey(field);
        return (Long) m.get(field);
    }

    private static ScanPage scanPage(Object reply) {
        List<?> page = (List<?>) reply;
        List<String> ids = new ArrayList<>();
        for (Object id : (List<?>) page.get(1)) {
            ids.add((String) id);
        }
        return new ScanPage((String) page.get(0), ids);
    }

    /** Arguments as sent: numbers in decimal, byte arrays as they are, anything else as its text. */
    static CommandArgs<String, String> args(Object... arguments) {
        CommandArgs<String, String> a = new CommandArgs<>(CODEC);
        addEach(a, arguments);
        return a;
    }

    private static void addEach(CommandArgs<String, String> a, Object[] arguments) {
        for (Object o : arguments) {
            if (o instanceof Object[] more) {
                addEach(a, more); // the varargs options of reserve, deduct and reserveAll
            } else if (o instanceof byte[] raw) {
                a.add(raw);
            } else if (o instanceof Long || o instanceof Integer) {
                a.add(((Number) o).longValue());
            } else {
                a.add(String.valueOf(o));
            }
        }
    }

    /** One SKU's figures. */
    record Stock(long total, long available, long reserved, long sold) {
        /** Invariant 1: every unit is in exactly one place, and no figure is negative. */
        boolean balanced() {
            return total == available + reserved + sold && total >= 0 && available >= 0 && reserved >= 0 && sold >= 0;
        }
    }

    /** One page of INV.SCAN: the cursor to continue from ("0" at the end) and the SKU ids. */
    record ScanPage(String cursor, List<String> ids) {}

    /**
     * What INV.CHANGES answers: the last sequence number given out, the last acknowledged one, and
     * the rows; a SKU row is {@code [seq, "sku", id, total, available, reserved, sold]}, a
     * reservation row {@code [seq, "reservation", reqId, state, user, createdAt, expiresAt, updatedAt, sku, qty...]}.
     */
    record Changes(long lastSeq, long ackedSeq, List<List<Object>> rows) {
        List<List<Object>> rowsFor(String kind, String id) {
            return rows.stream().filter(r -> kind.equals(r.get(1)) && id.equals(r.get(2))).toList();
        }
    }
}
