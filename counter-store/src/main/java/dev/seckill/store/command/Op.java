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
    TICK;

    private static final Map<String, Op> BY_NAME = new HashMap<>();

    static {
        for (Op op : values()) {
            if (op != TICK) {
                BY_NAME.put(op.wireName(), op);
            }
        }
    }

    /** The name as clients send it, upper case: {@code INV.RESERVE}. */
    public String wireName() {
        return name().replace('_', '.');
    }

    /** The op named {@code name} (any case), or null. */
    public static Op byName(String name) {
        return BY_NAME.get(name.toUpperCase(Locale.ROOT));
    }
}
