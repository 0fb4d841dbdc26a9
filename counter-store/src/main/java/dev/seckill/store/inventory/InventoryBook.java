package dev.seckill.store.inventory;

import dev.seckill.store.collection.AppendLog;
import dev.seckill.store.feed.ChangeFeed;
import dev.seckill.store.protocol.Reply;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The inventory of one shard: SKUs, reservations, what each request id answered, and the change
 * feed for the sync.
 *
 * <p>Pure and deterministic: no clock, no I/O, no randomness. Time only moves through
 * {@link #advanceTo(long)} with the stamp the leader put on a log entry, so every replica applying
 * the same log reaches the same state and gives the same answers. Not thread-safe: it has exactly
 * one writer, the state machine's apply thread.
 *
 * <p>Invariant, per SKU: {@code total == available + reserved + sold}, no field negative. Units
 * only move between two fields at a time, after every check has passed, so a refused request
 * changes nothing (but is remembered, so its retry gets the same refusal).
 */
public final class InventoryBook {
    private static final Comparator<Reservation> BY_EXPIRY =
            Comparator.comparingLong((Reservation r) -> r.expiresAt).thenComparingLong(r -> r.ordinal);

    /** Quantity arrays for the common small quantities, shared by all reservations; never written. */
    private static final long[][] ONE_QTY = new long[17][];

    static {
        for (int i = 0; i < ONE_QTY.length; i++) {
            ONE_QTY[i] = new long[] {i};
        }
    }

    private final BookSettings settings;
    private final Map<String, Sku> skus = new HashMap<>();
    /** SKUs in creation order: a SCAN cursor is an index here (SKUs are never removed). */
    private final List<Sku> skuOrder = new ArrayList<>();
    private final RequestTable requests = new RequestTable();
    /** Finished requests in the order they finished: the oldest are forgotten first. */
    private final AppendLog<Reservation> finished = new AppendLog<>();
    /** Restocks sent with a request id, what they answered; forgotten like finished requests. */
    private final Map<String, RestockRequest> restocks = new HashMap<>();
    private final AppendLog<RestockRequest> finishedRestocks = new AppendLog<>();
    /**
     * Every change of a reservation the sync has not acknowledged, with its feed sequence number, in
     * feed order (a reservation changes at most twice: made, finished): from it and the marks on the
     * reservations a snapshot writer tells which reservation rows were in the feed at a freeze.
     */
    private final AppendLog<Reservation> reservationChanges = AppendLog.numbered();
    /** Reserved units with a TTL; entries that finished early are skipped when they come up. */
    private final PriorityQueue<Reservation> expiries = new PriorityQueue<>(BY_EXPIRY);
    private final ChangeFeed feed = new ChangeFeed();
    private final long[] rejects = new long[Reject.values().length];
    private long now;
    /** The freeze period: a snapshot freeze ends one and starts the next (see {@link Reservation#finishedIn}). */
    private int period = 1;
    private long nextOrdinal;
    private int pending;
    /** Pending reservations that have a TTL: while there are any, the leader ticks its clock in. */
    private int expiring;
    private long reservedCount;
    private long confirmedCount;
    private long cancelledCount;
    private long expiredCount;

    public InventoryBook(BookSettings settings) {
        this.settings = settings;
    }

    /** Moves store time forward (never back: a new leader's clock may lag) and expires what is due. */
    public void advanceTo(long time) {
        if (time > now) {
            now = time;
        }
        Reservation due;
        while ((due = expiries.peek()) != null && due.expiresAt <= now) {
            expiries.poll();
            if (due.state == ReservationState.RESERVED) {
                release(due, ReservationState.EXPIRED);
                expiredCount++;
            }
        }
        forgetOldRequests();
    }

    public Reply create(String sku, long total) {
        if (skus.containsKey(sku)) {
            return refusal(Reject.EXISTS, "EXISTS");
        }
        Sku s = new Sku(sku, total);
        skus.put(sku, s);
        skuOrder.add(s);
        feed.changed(s);
        return Reply.OK;
    }

    public Reply restock(String sku, long delta) {
        return restock(sku, delta, null);
    }

    /**
     * Adds {@code delta} (may be negative) to a SKU's total and available. With a request id the
     * answer is remembered like a reservation's (same retention), so a retry answers it again and
     * adds nothing twice; restock ids are their own namespace, apart from reservation ids.
     */
    public Reply restock(String sku, long delta, String reqId) {
        if (reqId != null) {
            RestockRequest prior = restocks.get(reqId);
            if (prior != null) {
                return prior.answer();
            }
        }
        Sku s = skus.get(sku);
        if (s == null) {
            return refusal(Reject.NOSUCHSKU, "NOSUCHSKU"); // bad input: not remembered
        }
        Reply answer;
        if (delta < -s.available) { // not -delta > available: -Long.MIN_VALUE is Long.MIN_VALUE
            answer = refusal(Reject.INSUFFICIENT, "INSUFFICIENT " + s.available);
        } else if (delta > 0 && s.total > Long.MAX_VALUE - delta) {
            answer = Reply.error("ERR increment or decrement would overflow");
        } else {
            s.total += delta;
            s.available += delta;
            feed.changed(s);
            answer = Reply.integer(s.available);
        }
        if (reqId != null) {
            RestockRequest done = new RestockRequest(reqId, answer, now);
            restocks.put(reqId, done);
            finishedRestocks.add(done);
            forgetOldRequests();
        }
        return answer;
    }

    /** Holds {@code qty} units of one SKU for {@code reqId}; {@code limit < 0} means no limit, {@code ttlMs 0} no expiry. */
    public Reply reserve(String sku, long qty, String reqId, String user, long limit, long ttlMs) {
        return take(sku, qty, reqId, user, limit, ttlMs, false, false);
    }

    /**
     * As {@link #reserve}, answering with {@code detail}: a success (first or replayed) as
     * {@link ReservationReplies#detail}, a refusal as the plain command does.
     */
    public Reply reserve(String sku, long qty, String reqId, String user, long limit, long ttlMs, boolean detail) {
        return take(sku, qty, reqId, user, limit, ttlMs, false, detail);
    }

    /** Sells {@code qty} units straight away (no reservation step). */
    public Reply deduct(String sku, long qty, String reqId, String user, long limit) {
        return take(sku, qty, reqId, user, limit, 0, true, false);
    }

    /** As {@link #deduct}, answering like {@link #reserve(String, long, String, String, long, long, boolean)}. */
    public Reply deduct(String sku, long qty, String reqId, String user, long limit, boolean detail) {
        return take(sku, qty, reqId, user, limit, 0, true, detail);
    }

    private Reply take(String sku, long qty, String reqId, String user, long limit, long ttlMs, boolean sell,
                       boolean detail) {
        Reservation prior = requests.get(reqId);
        if (prior != null) {
            return detail ? ReservationReplies.detail(prior, true) : prior.answer();
        }
        Sku s = skus.get(sku);
        if (s == null) {
            return refusal(Reject.NOSUCHSKU, "NOSUCHSKU"); // bad input: not remembered
        }
        if (feed.size() >= settings.maxFeedRows()) {
            return refusal(Reject.BACKLOG, "BACKLOG change feed full, the inventory sync is behind");
        }
        Reply no = check(s, qty, user, limit, "");
        // shared, never written: a flash sale keeps millions of single-line reservations
        String[] lines = s.asLine;
        long[] qtys = qty < ONE_QTY.length ? ONE_QTY[(int) qty] : new long[] {qty};
        if (no != null) {
            return remember(rejected(reqId, user, lines, qtys, no));
        }
        s.available -= qty;
        if (sell) {
            s.sold += qty;
        } else {
            s.reserved += qty;
        }
        if (user != null) {
            s.hold(user, qty);
        }
        feed.changed(s);
        Reply answer = Reply.integer(s.available);
        Reservation r = accept(reqId, user, lines, qtys, ttlMs, answer, sell);
        return detail ? ReservationReplies.detail(r, false) : answer;
    }

    /** Holds every line or none; a refusal names the first SKU that failed. */
    public Reply reserveAll(String reqId, String user, long limit, long ttlMs, String[] lines, long[] qtys) {
        Reservation prior = requests.get(reqId);
        if (prior != null) {
            return prior.answer();
        }
        Sku[] found = new Sku[lines.length];
        for (int i = 0; i < lines.length; i++) {
            found[i] = skus.get(lines[i]);
            if (found[i] == null) {
                return refusal(Reject.NOSUCHSKU, "NOSUCHSKU " + lines[i]);
            }
        }
        if (feed.size() >= settings.maxFeedRows()) {
            return refusal(Reject.BACKLOG, "BACKLOG change feed full, the inventory sync is behind");
        }
        for (int i = 0; i < lines.length; i++) {
            Reply no = check(found[i], qtys[i], user, limit, " " + lines[i]);
            if (no != null) {
                return remember(rejected(reqId, user, lines.clone(), qtys.clone(), no));
            }
        }
        for (int i = 0; i < lines.length; i++) {
            Sku s = found[i];
            s.available -= qtys[i];
            s.reserved += qtys[i];
            if (user != null) {
                s.hold(user, qtys[i]);
            }
            feed.changed(s);
        }
        accept(reqId, user, lines.clone(), qtys.clone(), ttlMs, Reply.OK, false);
        return Reply.OK;
    }

    /** The refusal for taking {@code qty} of {@code s}, or null if it may be taken. Changes nothing. */
    private Reply check(Sku s, long qty, String user, long limit, String suffix) {
        if (user != null && limit >= 0) {
            long held = s.held(user);
            if (qty > limit - held) {
                return refusal(Reject.LIMIT, "LIMIT " + held + suffix);
            }
        }
        if (s.available == 0) {
            return refusal(Reject.SOLDOUT, "SOLDOUT" + suffix);
        }
        if (s.available < qty) {
            return refusal(Reject.INSUFFICIENT, "INSUFFICIENT " + s.available + suffix);
        }
        return null;
    }

    private Reservation accept(String reqId, String user, String[] lines, long[] qtys, long ttlMs, Reply answer, boolean sell) {
        long expiresAt = (sell || ttlMs <= 0) ? 0 : now + ttlMs;
        Reservation r = new Reservation(reqId, user, lines, qtys, now, expiresAt, nextOrdinal++, answer,
                sell ? ReservationState.CONFIRMED : ReservationState.RESERVED);
        requests.putNew(r); // take and reserveAll found no prior request under this id
        changed(r);
        if (sell) {
            confirmedCount++;
            finished.add(r);
            forgetOldRequests();
        } else {
            reservedCount++;
            pending++;
            if (expiresAt != 0) {
                expiring++;
                expiries.add(r);
            }
        }
        return r;
    }

    /** Reserved -> sold. Confirming twice is fine; confirming what expired or was cancelled is not. */
    public Reply confirm(String reqId) {
        Reservation r = requests.get(reqId);
        if (r == null || r.state == ReservationState.REJECTED) {
            return refusal(Reject.NOSUCHRESERVATION, "NOSUCHRESERVATION");
        }
        switch (r.state) {
            case RESERVED -> {
                for (int i = 0; i < r.skus.length; i++) {
                    Sku s = skus.get(r.skus[i]);
                    s.reserved -= r.quantities[i];
                    s.sold += r.quantities[i];
                    feed.changed(s);
                }
                finish(r, ReservationState.CONFIRMED);
                confirmedCount++;
                return Reply.OK;
            }
            case CONFIRMED -> {
                return Reply.OK;
            }
            case CANCELLED -> {
                return refusal(Reject.CANCELLED, "CANCELLED");
            }
            default -> {
                return refusal(Reject.EXPIRED, "EXPIRED");
            }
        }
    }

    /** Reserved -> available. Cancelling twice is fine; cancelling what was sold or expired is not. */
    public Reply cancel(String reqId) {
        Reservation r = requests.get(reqId);
        if (r == null || r.state == ReservationState.REJECTED) {
            return refusal(Reject.NOSUCHRESERVATION, "NOSUCHRESERVATION");
        }
        switch (r.state) {
            case RESERVED -> {
                release(r, ReservationState.CANCELLED);
                cancelledCount++;
                return Reply.OK;
            }
            case CANCELLED -> {
                return Reply.OK;
            }
            case CONFIRMED -> {
                return refusal(Reject.CONFIRMED, "CONFIRMED");
            }
            default -> {
                return refusal(Reject.EXPIRED, "EXPIRED");
            }
        }
    }

    private void release(Reservation r, ReservationState to) {
        for (int i = 0; i < r.skus.length; i++) {
            Sku s = skus.get(r.skus[i]);
            s.reserved -= r.quantities[i];
            s.available += r.quantities[i];
            if (r.user != null) {
                s.hold(r.user, -r.quantities[i]);
            }
            feed.changed(s);
        }
        finish(r, to);
    }

    private void finish(Reservation r, ReservationState to) {
        r.state = to;
        r.updatedAt = now;
        r.finishedIn = period;
        pending--;
        if (r.expiresAt != 0) {
            expiring--;
        }
        changed(r);
        finished.add(r);
        forgetOldRequests();
    }

    /** Puts a reservation's change in the feed, and in the log a snapshot reads the feed's reservations from. */
    private void changed(Reservation r) {
        feed.changed(r);
        forgetAcknowledgedChanges();
        reservationChanges.add(r, r.changeSeq());
    }

    /** Drops the logged changes the sync acknowledged: they left the feed. */
    private void forgetAcknowledgedChanges() {
        long acked = feed.ackedSeq();
        while (!reservationChanges.isEmpty() && reservationChanges.firstNumber() <= acked) {
            reservationChanges.removeFirst();
        }
    }

    private Reservation rejected(String reqId, String user, String[] lines, long[] qtys, Reply no) {
        return new Reservation(reqId, user, lines, qtys, now, 0, nextOrdinal++, no, ReservationState.REJECTED);
    }

    private Reply remember(Reservation refusal) {
        requests.putNew(refusal); // take and reserveAll found no prior request under this id
        finished.add(refusal);
        forgetOldRequests();
        return refusal.answer();
    }

    private void forgetOldRequests() {
        Reservation oldest;
        // now - updatedAt, not updatedAt + retention: a retention near Long.MAX_VALUE ("forever")
        // would overflow the sum and forget every request id at once (now >= updatedAt always)
        while ((oldest = finished.peekFirst()) != null
                && (finished.size() > settings.maxFinishedRequestIds()
                    || now - oldest.updatedAt >= settings.requestIdRetentionMs())) {
            finished.removeFirst();
            requests.remove(oldest);
            oldest.forgottenIn = period;
        }
        RestockRequest restock;
        while ((restock = finishedRestocks.peekFirst()) != null
                && (finishedRestocks.size() > settings.maxFinishedRequestIds()
                    || now - restock.at() >= settings.requestIdRetentionMs())) {
            finishedRestocks.removeFirst();
            restocks.remove(restock.requestId(), restock);
        }
    }

    private Reply refusal(Reject why, String text) {
        rejects[why.ordinal()]++;
        return Reply.error(text);
    }

    // ---- reads ----

    public Sku sku(String id) {
        return skus.get(id);
    }

    /** The reservation or sale made under {@code reqId}; null if unknown, forgotten or refused. */
    public Reservation reservation(String reqId) {
        Reservation r = requests.get(reqId);
        return r == null || r.state == ReservationState.REJECTED ? null : r;
    }

    /** SKU ids from {@code cursor} on, at most {@code count}; the next cursor is 0 at the end. */
    public ScanPage scan(long cursor, int count) {
        List<String> ids = new ArrayList<>();
        int i = (int) Math.max(0, Math.min(cursor, skuOrder.size()));
        while (i < skuOrder.size() && ids.size() < count) {
            ids.add(skuOrder.get(i++).id);
        }
        return new ScanPage(i >= skuOrder.size() ? 0 : i, ids);
    }

    /** One page of {@link #scan}. */
    public record ScanPage(long nextCursor, List<String> skuIds) {}

    public ChangeFeed feed() {
        return feed;
    }

    public long now() {
        return now;
    }

    public int skuCount() {
        return skuOrder.size();
    }

    /** Pending reservations with a TTL (they need the clock to move). */
    public int expiringReservations() {
        return expiring;
    }

    /**
     * The store time by which the next expiry may be due, or {@link Long#MAX_VALUE} when none is
     * pending. Early rather than late: a reservation that finished before its TTL keeps its place
     * in the queue until that time comes.
     */
    public long nextExpiryAt() {
        Reservation next = expiries.peek();
        return next == null ? Long.MAX_VALUE : next.expiresAt;
    }

    public int pendingReservations() {
        return pending;
    }

    public int rememberedRequestIds() {
        return requests.size();
    }

    public long rejects(Reject why) {
        return rejects[why.ordinal()];
    }

    public long reservedCount() {
        return reservedCount;
    }

    public long confirmedCount() {
        return confirmedCount;
    }

    public long cancelledCount() {
        return cancelledCount;
    }

    public long expiredCount() {
        return expiredCount;
    }

    public BookSettings settings() {
        return settings;
    }

    // ---- snapshot access (package-private state, used by BookSnapshot) ----

    List<Sku> skusInOrder() {
        return skuOrder;
    }

    Iterable<Reservation> finishedInOrder() {
        return finished;
    }

    RequestTable requests() {
        return requests;
    }

    /**
     * Hands what a snapshot needs to the snapshot writer as views that never change (see
     * {@link BookSnapshot#freeze}), and starts a new freeze period; returns the period it ended.
     */
    int freeze(BookSnapshot.Views into) {
        forgetAcknowledgedChanges();
        into.finished = finished.view();
        into.restocks = finishedRestocks.view();
        into.reservationChanges = reservationChanges.view();
        into.requests = requests.freeze();
        into.pending = pending;
        return period++;
    }

    void restoreFeedRow(dev.seckill.store.feed.FeedRow row, long seq) {
        feed.restore(row, seq);
        if (row instanceof Reservation r) {
            reservationChanges.add(r, seq);
        }
    }

    /** Remembered restock request ids, oldest first. */
    Iterable<RestockRequest> restocksInOrder() {
        return finishedRestocks;
    }

    void restoreRestock(RestockRequest r) {
        restocks.put(r.requestId(), r);
        finishedRestocks.add(r);
    }

    long nextOrdinal() {
        return nextOrdinal;
    }

    long[] rejectCounts() {
        return rejects;
    }

    long[] outcomeCounts() {
        return new long[] {reservedCount, confirmedCount, cancelledCount, expiredCount};
    }

    void restoreClock(long now, long nextOrdinal, long[] outcomes) {
        this.now = now;
        this.nextOrdinal = nextOrdinal;
        this.reservedCount = outcomes[0];
        this.confirmedCount = outcomes[1];
        this.cancelledCount = outcomes[2];
        this.expiredCount = outcomes[3];
    }

    void restoreSku(Sku s) {
        skus.put(s.id, s);
        skuOrder.add(s);
    }

    void restoreRequest(Reservation r) {
        requests.put(r);
        if (r.state == ReservationState.RESERVED) {
            pending++;
            if (r.expiresAt != 0) {
                expiring++;
                expiries.add(r);
            }
        } else {
            finished.add(r);
        }
    }
}
