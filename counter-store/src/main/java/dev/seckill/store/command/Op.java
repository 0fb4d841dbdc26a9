package dev.seckill.store.command;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The commands that read or change a shard's state. They all go through the replicated log, reads
 * too: that makes every read linearizable and keeps replies in the order they were asked.
 * Connection commands (PING, HELLO, INFO...) never reach the log and are not listed here.
 */
public enum Op {
    GET, SET, INCR, DECR, INCRBY, DECRBY, DEL, EXISTS, MGET, DBSIZE,
    INV_CREATE, INV_RESTOCK, INV_GET, INV_RESERVE, INV_RESERVEALL, INV_CONFIRM, INV_CANCEL,
    INV_RESERVATION, INV_DEDUCT, INV_SCAN, INV_CHANGES, INV_ACK,
    /** Written by the leader, not by clients: moves store time so reservations expire. */
    TICK,
    /**
     * WATCH key...: reads, at its place in the log, the versions EXEC compares (see ShardState).
     * Clients send WATCH as a connection command; this is its form in the log.
     */
    WATCH,
    /**
     * A whole MULTI ... EXEC transaction as ONE command of ONE entry: the watched keys with the
     * versions WATCH read, then the queued commands (see {@link TransactionCodec}). Applied in one
     * go, so no other command interleaves, and every replica decides the same way.
     */
    EXEC;

    private static final Op[] VALUES = values();
    private static final Map<String, Op> BY_NAME = new HashMap<>();
    /** Open-addressing table by case-folded hash: finds an op from the raw name without allocating. */
    private static final Op[] TABLE = new Op[128];

    static {
        for (Op op : VALUES) {
            if (op.sentByClients()) {
                BY_NAME.put(op.wireName(), op);
                byte[] name = op.wireName().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                int i = foldedHash(name) & (TABLE.length - 1);
                while (TABLE[i] != null) {
                    i = (i + 1) & (TABLE.length - 1);
                }
                TABLE[i] = op;
            }
        }
    }

    private final byte[] upperName = wireName().getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The op named by the raw bytes a client sent (any case), or null; allocation-free. */
    public static Op byName(byte[] name) {
        if (name.length > 16) {
            return null;
        }
        int i = foldedHash(name) & (TABLE.length - 1);
        Op op;
        while ((op = TABLE[i]) != null) {
            if (op.named(name)) {
                return op;
            }
            i = (i + 1) & (TABLE.length - 1);
        }
        return null;
    }

    /** The op with this ordinal, as written into a log entry. */
    public static Op byCode(int code) {
        return VALUES[code];
    }

    private boolean named(byte[] name) {
        if (name.length != upperName.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (upper(name[i]) != upperName[i]) {
                return false;
            }
        }
        return true;
    }

    private static int foldedHash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = 31 * h + upper(b);
        }
        return h ^ (h >>> 7);
    }

    private static int upper(byte b) {
        return b >= 'a' && b <= 'z' ? b - 32 : b;
    }

    /**
     * False for the ops only the store itself writes into the log (TICK, and WATCH and EXEC, which
     * clients send as connection commands): {@link #byName} does not find them.
     */
    public boolean sentByClients() {
        return this != TICK && this != WATCH && this != EXEC;
    }

    /** The name as clients send it, upper case: {@code INV.RESERVE}. */
    public String wireName() {
        return name().replace('_', '.');
    }

    /** The op named {@code name} (any case), or null; like {@link #byName(byte[])}, only ops clients send. */
    public static Op byName(String name) {
        return BY_NAME.get(name.toUpperCase(Locale.ROOT));
    }
}
