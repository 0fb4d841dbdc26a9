package dev.seckill.store.inventory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A deliberately plain reference model of {@link InventoryBook}'s contract (DESIGN.md, "Inventory
 * commands" and "Invariants"), written for obviousness, not speed: plain maps, linear scans, no
 * intrusive lists, no priority queue. Answers are strings as a client would print them:
 * {@code "OK"}, {@code ":97"}, {@code "-SOLDOUT"}, so a mismatch reads at a glance.
 *
 * <p>What it remembers of a request id follows {@link BookSettings}: pending reservations are kept
 * until they finish; finished ones (confirmed, cancelled, expired, refused, and straight deducts)
 * are forgotten oldest first once more than {@code maxFinishedRequestIds} are kept, or once
 * {@code requestIdRetentionMs} of store time passed since they finished. A forgotten id is new again.
 * While the change feed is full (the harness says so), new takes are refused with BACKLOG.
 */
final class InventoryModel {

    /** One line of a reservation: so many units of one SKU. */
    record Line(String sku, long qty) {}

    /** The four figures of a SKU, as {@code INV.GET} shows them. */
    record Figures(long total, long available, long reserved, long sold) {}

    enum State { RESERVED, CONFIRMED, CANCELLED, EXPIRED, REFUSED }

    /** What the model knows of one request id. */
    static final class Request {
        final String id;
        final String user;
        final List<Line> lines;
        final long createdAt;
        /** 0: never expires. */
        final long expiresAt;
        /** Requests made earlier have smaller numbers; ties in expiry go in this order. */
        final long madeAs;
        final String firstAnswer;
        State state;
        long finishedAt;

        Request(String id, String user, List<Line> lines, long createdAt, long expiresAt, long madeAs,
                String firstAnswer, State state) {
            this.id = id;
            this.user = user;
            this.lines = List.copyOf(lines);
            this.createdAt = createdAt;
            this.expiresAt = expiresAt;
            this.madeAs = madeAs;
            this.firstAnswer = firstAnswer;
            this.state = state;
            this.finishedAt = createdAt;
        }
    }

    private static final class Stock {
        long total;
        long available;
        long reserved;
        long sold;
        /** Units ever put in: the created total plus every positive restock (at most Long.MAX_VALUE). */
        long everAdded;
        /** user -> units reserved or sold by that user (only users named with USER). */
        final Map<String, Long> held = new HashMap<>();
    }

    /** A restock sent with a request id: its answer, remembered like a finished request. */
    private record RestockDone(String id, String answer, long at) {}

    private final Map<String, RestockDone> restocks = new HashMap<>();
    /** Remembered restocks in the order they were made. */
    private final List<RestockDone> finishedRestocks = new ArrayList<>();
    private final long retentionMs;
    private final int maxFinished;
    private final Map<String, Stock> skus = new LinkedHashMap<>();
    private final Map<String, Request> requests = new HashMap<>();
    /** Finished requests still remembered, in the order they finished. */
    private final List<Request> finished = new ArrayList<>();
    private long now;
    private long made;
    /** Whether the change feed holds maxFeedRows rows; the model is told, it does not model the feed. */
    private boolean feedFull;

    InventoryModel(BookSettings settings) {
        this.retentionMs = settings.requestIdRetentionMs();
        this.maxFinished = settings.maxFinishedRequestIds();
    }

    static final String BACKLOG = "-BACKLOG change feed full, the inventory sync is behind";

    // ---- commands ----

    /** Before each command: does the change feed wait with maxFeedRows rows? Then new takes get BACKLOG. */
    void feedIsFull(boolean full) {
        feedFull = full;
    }

    String create(String sku, long total) {
        if (skus.containsKey(sku)) {
            return "-EXISTS";
        }
        Stock s = new Stock();
        s.total = total;
        s.available = total;
        s.everAdded = total;
        skus.put(sku, s);
        return "OK";
    }

    /** With a request id, the answer is remembered (a restock of its own, apart from reservations). */
    String restock(String sku, long delta, String reqId) {
        if (reqId != null && restocks.containsKey(reqId)) {
            return restocks.get(reqId).answer; // a retry: never added twice
        }
        Stock s = skus.get(sku);
        if (s == null) {
            return "-NOSUCHSKU"; // bad input, not remembered
        }
        String answer = restockAnswer(s, delta);
        if (reqId != null) {
            RestockDone done = new RestockDone(reqId, answer, now);
            restocks.put(reqId, done);
            finishedRestocks.add(done);
            forget();
        }
        return answer;
    }

    private static String restockAnswer(Stock s, long delta) {
        if (delta < 0 && s.available + delta < 0) { // available >= 0, so this sum cannot overflow
            return "-INSUFFICIENT " + s.available;
        }
        if (delta > 0 && overflows(s.total, delta)) {
            return "-ERR increment or decrement would overflow";
        }
        s.total += delta;
        s.available += delta;
        if (delta > 0) { // restocks down and up again can put in more than Long.MAX_VALUE in all
            s.everAdded = overflows(s.everAdded, delta) ? Long.MAX_VALUE : s.everAdded + delta;
        }
        return ":" + s.available;
    }

    String reserve(String sku, long qty, String reqId, String user, long limit, long ttlMs, boolean detail) {
        return take(sku, qty, reqId, user, limit, ttlMs, false, detail);
    }

    String deduct(String sku, long qty, String reqId, String user, long limit, boolean detail) {
        return take(sku, qty, reqId, user, limit, 0, true, detail);
    }

    private String take(String sku, long qty, String reqId, String user, long limit, long ttlMs, boolean sell,
                        boolean detail) {
        Request known = requests.get(reqId);
        if (known != null) {
            // a retry: the first answer, whatever it was, never a second take
            return detail && known.state != State.REFUSED ? detail(known, true) : known.firstAnswer;
        }
        Stock s = skus.get(sku);
        if (s == null) {
            return "-NOSUCHSKU"; // bad input, not remembered: the SKU may be created later
        }
        if (feedFull) {
            return BACKLOG; // not remembered: the same request goes through once the sync caught up
        }
        List<Line> lines = List.of(new Line(sku, qty));
        String no = refusal(s, qty, user, limit, "");
        if (no != null) {
            return refuse(reqId, user, lines, no);
        }
        s.available -= qty;
        if (sell) {
            s.sold += qty;
        } else {
            s.reserved += qty;
        }
        if (user != null) {
            s.held.merge(user, qty, Long::sum);
        }
        String answer = ":" + s.available;
        Request r = new Request(reqId, user, lines, now, sell || ttlMs <= 0 ? 0 : now + ttlMs, made++, answer,
                sell ? State.CONFIRMED : State.RESERVED);
        requests.put(reqId, r);
        if (sell) {
            finished.add(r);
        }
        forget();
        return detail ? detail(r, false) : answer;
    }

    /** What DETAIL answers for a success: the reservation as it is now, its first available, and whether replayed. */
    private static String detail(Request r, boolean replayed) {
        String items = r.lines.stream().map(l -> l.sku() + ", :" + l.qty()).collect(Collectors.joining(", ", "[", "]"));
        return "{requestId=" + r.id + ", sku=" + r.lines.get(0).sku() + ", qty=:" + r.lines.get(0).qty()
                + ", items=" + items + ", user=" + (r.user == null ? "nil" : r.user) + ", state=" + r.state
                + ", createdAt=:" + r.createdAt + ", expiresAt=" + (r.expiresAt == 0 ? "nil" : ":" + r.expiresAt)
                + ", updatedAt=:" + r.finishedAt
                + ", available=" + (r.firstAnswer.startsWith(":") ? r.firstAnswer : "nil")
                + ", replayed=:" + (replayed ? 1 : 0) + "}";
    }

    String reserveAll(String reqId, String user, long limit, long ttlMs, List<Line> lines) {
        Request known = requests.get(reqId);
        if (known != null) {
            return known.firstAnswer;
        }
        for (Line l : lines) {
            if (!skus.containsKey(l.sku())) {
                return "-NOSUCHSKU " + l.sku();
            }
        }
        if (feedFull) {
            return BACKLOG;
        }
        for (Line l : lines) {
            String no = refusal(skus.get(l.sku()), l.qty(), user, limit, " " + l.sku());
            if (no != null) {
                return refuse(reqId, user, lines, no); // nothing was taken: all or nothing
            }
        }
        for (Line l : lines) {
            Stock s = skus.get(l.sku());
            s.available -= l.qty();
            s.reserved += l.qty();
            if (user != null) {
                s.held.merge(user, l.qty(), Long::sum);
            }
        }
        requests.put(reqId, new Request(reqId, user, lines, now, ttlMs <= 0 ? 0 : now + ttlMs, made++, "OK",
                State.RESERVED));
        return "OK";
    }

    /** LIMIT first (what the user holds plus this exceeds it), then stock; null when it may be taken. */
    private String refusal(Stock s, long qty, String user, long limit, String suffix) {
        if (user != null && limit >= 0) {
            long held = s.held.getOrDefault(user, 0L);
            if (overflows(held, qty) || held + qty > limit) {
                return "-LIMIT " + held + suffix;
            }
        }
        if (s.available == 0) {
            return "-SOLDOUT" + suffix;
        }
        if (s.available < qty) {
            return "-INSUFFICIENT " + s.available + suffix;
        }
        return null;
    }

    private String refuse(String reqId, String user, List<Line> lines, String no) {
        Request r = new Request(reqId, user, lines, now, 0, made++, no, State.REFUSED);
        requests.put(reqId, r);
        finished.add(r); // remembered so that a retry gets the same refusal
        forget();
        return no;
    }

    String confirm(String reqId) {
        Request r = requests.get(reqId);
        if (r == null || r.state == State.REFUSED) {
            return "-NOSUCHRESERVATION";
        }
        switch (r.state) {
            case RESERVED -> {
                for (Line l : r.lines) {
                    Stock s = skus.get(l.sku());
                    s.reserved -= l.qty();
                    s.sold += l.qty();
                }
                finish(r, State.CONFIRMED);
                return "OK";
            }
            case CONFIRMED -> {
                return "OK";
            }
            case CANCELLED -> {
                return "-CANCELLED";
            }
            default -> {
                return "-EXPIRED"; // the units may have been sold again: a late confirm is refused
            }
        }
    }

    String cancel(String reqId) {
        Request r = requests.get(reqId);
        if (r == null || r.state == State.REFUSED) {
            return "-NOSUCHRESERVATION";
        }
        switch (r.state) {
            case RESERVED -> {
                giveBack(r, State.CANCELLED);
                return "OK";
            }
            case CANCELLED -> {
                return "OK";
            }
            case CONFIRMED -> {
                return "-CONFIRMED";
            }
            default -> {
                return "-EXPIRED";
            }
        }
    }

    /** Store time moves to {@code time} (never back) and what is due expires, earliest first. */
    void advanceTo(long time) {
        now = Math.max(now, time);
        List<Request> due = new ArrayList<>();
        for (Request r : requests.values()) {
            if (r.state == State.RESERVED && r.expiresAt != 0 && r.expiresAt <= now) {
                due.add(r);
            }
        }
        due.sort(Comparator.comparingLong((Request r) -> r.expiresAt).thenComparingLong(r -> r.madeAs));
        for (Request r : due) {
            giveBack(r, State.EXPIRED);
        }
        forget();
    }

    private void giveBack(Request r, State to) {
        for (Line l : r.lines) {
            Stock s = skus.get(l.sku());
            s.reserved -= l.qty();
            s.available += l.qty();
            if (r.user != null) {
                s.held.merge(r.user, -l.qty(), Long::sum);
            }
        }
        finish(r, to);
    }

    private void finish(Request r, State to) {
        r.state = to;
        r.finishedAt = now;
        finished.add(r);
        forget();
    }

    /** Forgets finished request ids past the count bound or the retention, oldest first. */
    private void forget() {
        while (!finished.isEmpty()
                && (finished.size() > maxFinished || now - finished.get(0).finishedAt >= retentionMs)) {
            Request oldest = finished.remove(0);
            requests.remove(oldest.id, oldest);
        }
        while (!finishedRestocks.isEmpty() && (finishedRestocks.size() > maxFinished
                || now - finishedRestocks.get(0).at >= retentionMs)) {
            RestockDone oldest = finishedRestocks.remove(0);
            restocks.remove(oldest.id, oldest);
        }
    }

    private static boolean overflows(long a, long b) {
        try {
            Math.addExact(a, b);
            return false;
        } catch (ArithmeticException e) {
            return true;
        }
    }

    // ---- reads ----

    /** Whether {@code reqId} is remembered as a restock's, so that a restock with it is answered from memory. */
    boolean knowsRestock(String reqId) {
        return restocks.containsKey(reqId);
    }

    /** Whether {@code reqId} is remembered, so that a take with it is answered from memory. */
    boolean knows(String reqId) {
        return requests.containsKey(reqId);
    }

    long now() {
        return now;
    }

    Set<String> skuIds() {
        return skus.keySet();
    }

    /** Null when the SKU was never created. */
    Figures figures(String sku) {
        Stock s = skus.get(sku);
        return s == null ? null : new Figures(s.total, s.available, s.reserved, s.sold);
    }

    long everAdded(String sku) {
        return skus.get(sku).everAdded;
    }

    long held(String sku, String user) {
        return skus.get(sku).held.getOrDefault(user, 0L);
    }

    /** What {@code INV.RESERVATION reqId} shows: null when unknown, forgotten or refused. */
    Request reservation(String reqId) {
        Request r = requests.get(reqId);
        return r == null || r.state == State.REFUSED ? null : r;
    }

    long pending() {
        return requests.values().stream().filter(r -> r.state == State.RESERVED).count();
    }

    int rememberedRequestIds() {
        return requests.size();
    }
}
