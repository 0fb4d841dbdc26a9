package dev.seckill.store.inventory;

import dev.seckill.store.inventory.InventoryModel.Line;
import dev.seckill.store.protocol.Reply;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One step of a random session against the book: a command a client sends, or something the
 * platform does around them (the leader's clock moves, a client retries, the sync acknowledges).
 * The records print well, so a shrunk counterexample reads as a script.
 */
sealed interface InventoryOp {

    /** A command with an answer, applied the same way to the book and to the model. */
    sealed interface Command extends InventoryOp {
        Reply on(InventoryBook book);

        String on(InventoryModel model);
    }

    /** A command carrying a request id: one a client may send again. */
    sealed interface Request extends Command {
        String reqId();
    }

    /** A request that takes units: reserve, deduct, reserve-all. */
    sealed interface Take extends Request {}

    record Create(String sku, long total) implements Command {
        public Reply on(InventoryBook b) { return b.create(sku, total); }
        public String on(InventoryModel m) { return m.create(sku, total); }
    }

    /** {@code reqId} null: a plain restock, which a retry applies again. */
    record Restock(String sku, long delta, String reqId) implements Request {
        public Reply on(InventoryBook b) { return b.restock(sku, delta, reqId); }
        public String on(InventoryModel m) { return m.restock(sku, delta, reqId); }
    }

    /** {@code limit} -1: none; {@code ttlMs} 0: never expires; {@code detail}: INV.RESERVE ... DETAIL. */
    record Reserve(String sku, long qty, String reqId, String user, long limit, long ttlMs, boolean detail)
            implements Take {
        public Reply on(InventoryBook b) { return b.reserve(sku, qty, reqId, user, limit, ttlMs, detail); }
        public String on(InventoryModel m) { return m.reserve(sku, qty, reqId, user, limit, ttlMs, detail); }
    }

    record Deduct(String sku, long qty, String reqId, String user, long limit, boolean detail) implements Take {
        public Reply on(InventoryBook b) { return b.deduct(sku, qty, reqId, user, limit, detail); }
        public String on(InventoryModel m) { return m.deduct(sku, qty, reqId, user, limit, detail); }
    }

    record ReserveAll(String reqId, String user, long limit, long ttlMs, List<Line> lines) implements Take {
        public Reply on(InventoryBook b) {
            return b.reserveAll(reqId, user, limit, ttlMs,
                    lines.stream().map(Line::sku).toArray(String[]::new),
                    lines.stream().mapToLong(Line::qty).toArray());
        }
        public String on(InventoryModel m) { return m.reserveAll(reqId, user, limit, ttlMs, lines); }
    }

    record Confirm(String reqId) implements Request {
        public Reply on(InventoryBook b) { return b.confirm(reqId); }
        public String on(InventoryModel m) { return m.confirm(reqId); }
    }

    record Cancel(String reqId) implements Request {
        public Reply on(InventoryBook b) { return b.cancel(reqId); }
        public String on(InventoryModel m) { return m.cancel(reqId); }
    }

    /** The store time of the next log entry (what {@link Tick} resolves to); answers the time after it. */
    record AdvanceTo(long time) implements Command {
        public Reply on(InventoryBook b) {
            b.advanceTo(time);
            return Reply.integer(b.now());
        }
        public String on(InventoryModel m) {
            m.advanceTo(time);
            return ":" + m.now();
        }
    }

    /** The leader stamps store time + {@code deltaMs}; negative: a new leader whose clock lags. */
    record Tick(long deltaMs) implements InventoryOp {}

    /** Sends again, unchanged, the request-id command sent {@code back} such commands ago. */
    record Retry(int back) implements InventoryOp {}

    /**
     * The sync acknowledges: with {@code midStep} false, the feed's last sequence as it was
     * {@code back} steps ago (what a sync that read the feed then would acknowledge); with
     * {@code midStep} true, the sequence of the {@code back}-th waiting row, which may split the
     * rows one command changed.
     */
    record Ack(int back, boolean midStep) implements InventoryOp {}

    /** What {@link Ack} resolves to: {@code INV.ACK seq}. */
    record AckUpTo(long seq) implements InventoryOp {}

    /**
     * An answer as a client prints it: {@code OK}, {@code :97}, {@code -SOLDOUT}, a string as it is,
     * {@code nil}, {@code [a, :1]}, a map as {@code {state=RESERVED, replayed=:0}}.
     */
    static String text(Reply reply) {
        if (reply instanceof Reply.Int i) {
            return ":" + i.value();
        }
        if (reply instanceof Reply.Error e) {
            return "-" + e.text();
        }
        if (reply instanceof Reply.Status s) {
            return s.text();
        }
        if (reply instanceof Reply.Bulk b) {
            return b.text();
        }
        if (reply instanceof Reply.Null) {
            return "nil";
        }
        if (reply instanceof Reply.Array a) {
            return a.items().stream().map(InventoryOp::text).collect(Collectors.joining(", ", "[", "]"));
        }
        List<Reply> kv = ((Reply.MapReply) reply).keysAndValues();
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < kv.size(); i += 2) {
            out.append(i == 0 ? "" : ", ").append(text(kv.get(i))).append('=').append(text(kv.get(i + 1)));
        }
        return out.append('}').toString();
    }
}
