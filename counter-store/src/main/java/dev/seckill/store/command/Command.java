package dev.seckill.store.command;

/**
 * A validated shard command. Every field was checked by {@link CommandParser}, so applying it can
 * only fail for reasons of state (sold out, no such SKU), never of form.
 *
 * @param key      the SKU id or counter key (null where the op has none)
 * @param number   the op's main number: qty, total, delta, value, cursor, afterSeq or ack seq
 * @param count    COUNT of INV.SCAN, count of INV.CHANGES, the {@code SET_*} flags of SET
 * @param requestId the request id of RESERVE, RESERVEALL, DEDUCT, CONFIRM, CANCEL, RESERVATION,
 *                 RESTOCK (null there when none was given)
 * @param user     USER, or null
 * @param limit    LIMIT, or -1 for none
 * @param ttlMs    TTL in milliseconds, or 0 for none
 * @param keys     the keys of DEL/EXISTS/MGET/WATCH, the SKUs of RESERVEALL, the watched keys of EXEC
 * @param quantities the quantities of RESERVEALL, one per SKU; for EXEC two versions per watched
 *                 key, as WATCH read them (counter version, SKU version)
 * @param detail   DETAIL of RESERVE and DEDUCT: answer with the reservation, not only the number
 * @param queued   the commands of an EXEC, in the order they were queued (null for other ops)
 */
public record Command(Op op, String key, long number, long count, String requestId, String user,
                      long limit, long ttlMs, String[] keys, long[] quantities,
                      boolean detail, Command[] queued) {

    /** SET ... NX: only if the key does not exist. */
    public static final long SET_NX = 1;
    /** SET ... XX: only if the key exists. */
    public static final long SET_XX = 2;
    /** SET ... GET: answer the old value. */
    public static final long SET_GET = 4;

    public Command(Op op, String key, long number, long count, String requestId, String user,
                   long limit, long ttlMs, String[] keys, long[] quantities, boolean detail) {
        this(op, key, number, count, requestId, user, limit, ttlMs, keys, quantities, detail, null);
    }

    static Command of(Op op, String key, long number) {
        return new Command(op, key, number, 0, null, null, -1, 0, null, null, false);
    }
}
