package dev.seckill.store.inventory;

import static dev.seckill.store.inventory.InventoryOp.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.store.command.CommandParser;
import dev.seckill.store.feed.ChangeFeed;
import dev.seckill.store.feed.FeedRow;
import dev.seckill.store.inventory.InventoryModel.Figures;
import dev.seckill.store.inventory.InventoryModel.Line;
import dev.seckill.store.inventory.InventoryOp.Ack;
import dev.seckill.store.inventory.InventoryOp.AckUpTo;
import dev.seckill.store.inventory.InventoryOp.Cancel;
import dev.seckill.store.inventory.InventoryOp.Command;
import dev.seckill.store.inventory.InventoryOp.Confirm;
import dev.seckill.store.inventory.InventoryOp.Create;
import dev.seckill.store.inventory.InventoryOp.Deduct;
import dev.seckill.store.inventory.InventoryOp.Reserve;
import dev.seckill.store.inventory.InventoryOp.ReserveAll;
import dev.seckill.store.inventory.InventoryOp.Restock;
import dev.seckill.store.inventory.InventoryOp.Retry;
import dev.seckill.store.inventory.InventoryOp.Take;
import dev.seckill.store.inventory.InventoryOp.Tick;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The inventory book's contract as properties: random sessions of creates, restocks, reservations
 * (with and without USER, LIMIT and TTL), multi-SKU reservations, deducts, confirms, cancels,
 * retries, clock steps and sync acknowledgements, over a few SKUs, users and request ids so that
 * sell-outs, limits, expiries and request-id collisions happen all the time.
 *
 * <p>jqwik's edge-case mixing is off: it spends a third of the tries on empty and one-step
 * sessions; the generators below put in the extreme values themselves.
 *
 * <p>Inputs are the ones {@link CommandParser} lets through to the book (positive quantities, no
 * LIMIT without USER, no duplicate SKU in one RESERVEALL, TTL at most 30 days), plus extreme
 * values where the parser allows them.
 */
class InventoryBookProperties {
    static final List<String> SKUS = List.of("a", "b", "c", "d");
    static final List<String> USERS = List.of("u1", "u2");
    /** The few request ids of most sessions: retries and reuse of an id are frequent. */
    static final List<String> FEW_REQUEST_IDS = ids(5);
    /** Enough request ids that a book remembering them all would exceed its bound. */
    static final List<String> MANY_REQUEST_IDS = ids(12);

    /** Forgets nothing during a session. */
    static final BookSettings REMEMBER_ALL = new BookSettings(Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    /** Keeps at most 3 finished request ids, for 20 ms of store time. */
    static final BookSettings FORGETFUL = new BookSettings(20, 3, Integer.MAX_VALUE);
    /**
     * Forgets nothing, but refuses new takes with BACKLOG while 4 rows wait for the sync (the feed
     * of a session holds at most 9 rows: 4 SKUs and 5 request ids).
     */
    static final BookSettings SMALL_FEED = new BookSettings(Long.MAX_VALUE, Integer.MAX_VALUE, 4);

    /** Outcomes every run of the main property must have met, or the generators have gone stale. */
    static final List<String> MUST_HAPPEN = List.of(
            "Reserve :n", "Reserve {detail}", "Deduct {detail}", "Reserve -SOLDOUT", "Reserve -INSUFFICIENT", "Reserve -LIMIT", "Reserve -NOSUCHSKU",
            "Deduct :n", "Deduct -LIMIT", "ReserveAll OK", "ReserveAll -SOLDOUT", "ReserveAll -INSUFFICIENT",
            "ReserveAll -LIMIT", "ReserveAll -NOSUCHSKU", "Confirm OK", "Confirm -EXPIRED", "Confirm -CANCELLED",
            "Confirm -NOSUCHRESERVATION", "Cancel OK", "Cancel -CONFIRMED", "Cancel -EXPIRED",
            "Restock :n", "Restock -INSUFFICIENT", "Restock -ERR", "Create -EXISTS");

    // ---- properties ----

    /**
     * The heart of it: every answer is the model's, and after every step the book's figures,
     * holdings, reservations and counts are the model's and keep DESIGN's invariants 1, 2 and 4.
     */
    @Property(tries = 400, edgeCases = EdgeCasesMode.NONE)
    void theBookAnswersLikeTheModelAndKeepsItsInvariants(@ForAll("sessions") List<InventoryOp> ops) {
        runAgainstModel(REMEMBER_ALL, FEW_REQUEST_IDS, ops, (book, model, where) -> {});

        Statistics.label("answers").coverage(c -> MUST_HAPPEN.forEach(k -> c.check(k).count((Integer n) -> n > 0)));
        Statistics.label("takes").coverage(c -> c.check(RETRIED).count((Integer n) -> n > 0));
        Statistics.label("restocks").coverage(c -> c.check(RETRIED).count((Integer n) -> n > 0));
        Statistics.label("detail").coverage(c -> c.check("replayed").count((Integer n) -> n > 0));
    }

    /**
     * With a tiny memory the book still answers like the model (a forgotten request id is new
     * again), never forgets a reservation that still holds units, and remembers at most the
     * pending reservations plus {@code maxFinishedRequestIds}.
     */
    @Property(tries = 400, edgeCases = EdgeCasesMode.NONE)
    void aBookWithLittleMemoryForgetsOnlyFinishedRequestsAndStaysBounded(
            @ForAll("sessionsWithManyRequestIds") List<InventoryOp> ops) {
        runAgainstModel(FORGETFUL, MANY_REQUEST_IDS, ops, (book, model, where) -> {
            for (String id : MANY_REQUEST_IDS) {
                InventoryModel.Request pending = model.reservation(id);
                if (pending != null && pending.state == InventoryModel.State.RESERVED) {
                    Reservation r = book.reservation(id);
                    assertThat(r).as("%s: pending reservation %s is still known", where, id).isNotNull();
                    assertThat(r.state()).as("%s: state of %s", where, id).isEqualTo(ReservationState.RESERVED);
                }
            }
            assertThat(book.rememberedRequestIds())
                    .as("%s: request ids remembered (pending %d)", where, book.pendingReservations())
                    .isLessThanOrEqualTo(book.pendingReservations() + FORGETFUL.maxFinishedRequestIds());
        });
    }

    /**
     * A replica restored from a snapshot is indistinguishable from the one that wrote it: the same
     * continuation (including retries of request ids sent before the snapshot) gets the same
     * answers, figures, reservations and change feed on both.
     */
    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    void aReplicaRestoredFromASnapshotIsIndistinguishable(
            @ForAll("shortSessions") List<InventoryOp> before,
            @ForAll("shortSessions") List<InventoryOp> after,
            @ForAll boolean forgetful) throws IOException {
        BookSettings settings = forgetful ? FORGETFUL : REMEMBER_ALL;
        InventoryBook original = new InventoryBook(settings);
        BookSession session = new BookSession(original);
        play(original, session, before);

        InventoryBook restored = restore(snapshot(original), settings);
        assertIndistinguishable(original, restored, "right after restoring");

        for (int i = 0; i < after.size(); i++) {
            InventoryOp step = session.resolve(after.get(i));
            String where = "continuation step " + (i + 1) + " " + step;
            String expected = apply(original, step);
            assertThat(apply(restored, step)).as(where).isEqualTo(expected);
            session.done(step);
            assertInvariants(restored, where);
            assertIndistinguishable(original, restored, where);
        }
    }

    /**
     * A snapshot is frozen on the apply thread and written later while the book goes on changing
     * (the state machine's snapshot writer): what it writes is byte for byte what the book's state
     * said at the moment it was frozen (the plain full walk of {@link ReferenceSnapshot}), whatever
     * came after (confirms, cancels, expiries, forgotten and reused request ids, acknowledgements,
     * restocks, and further freezes: the copy-on-write chunks and the freeze periods of each view
     * must stay apart). Half the books start from a restored snapshot, whose reservations carry the
     * marks a restore gives them.
     */
    @Property(tries = 400, edgeCases = EdgeCasesMode.NONE)
    void aFrozenBookWritesTheSnapshotOfTheMomentItWasFrozen(
            @ForAll("shortSessions") List<InventoryOp> before,
            @ForAll("shortSessions") List<InventoryOp> between,
            @ForAll("shortSessions") List<InventoryOp> after,
            @ForAll boolean forgetful,
            @ForAll boolean restoredFirst) throws IOException {
        BookSettings settings = forgetful ? FORGETFUL : REMEMBER_ALL;
        InventoryBook book = new InventoryBook(settings);
        BookSession session = new BookSession(book);
        play(book, session, before);
        if (restoredFirst) {
            book = restore(snapshot(book), settings);
            session = new BookSession(book, session);
        }
        byte[] atFirst = ReferenceSnapshot.of(book);
        BookSnapshot.Frozen first = BookSnapshot.freeze(book);
        play(book, session, between);
        byte[] atSecond = ReferenceSnapshot.of(book);
        BookSnapshot.Frozen second = BookSnapshot.freeze(book);
        assertThat(written(second)).as("frozen after %d + %d ops, written at once", before.size(), between.size())
                .isEqualTo(atSecond);
        play(book, session, after);
        assertThat(written(first)).as("frozen after %d ops, written after %d more", before.size(),
                between.size() + after.size()).isEqualTo(atFirst);
        assertThat(written(second)).as("frozen after %d + %d ops, written after %d more (again)", before.size(),
                between.size(), after.size()).isEqualTo(atSecond);
        assertThat(snapshot(book)).as("a snapshot of the book now").isEqualTo(ReferenceSnapshot.of(book));
    }

    private static byte[] written(BookSnapshot.Frozen frozen) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        frozen.writeTo(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    /**
     * The change feed is what the sync reads: one entry per row, in strictly increasing sequence
     * order; every SKU and reservation that changed after what the sync acknowledged waits in it
     * with its current state; an acknowledgement removes exactly the rows up to its sequence.
     * A small maxFeedRows makes the feed fill up, so BACKLOG refusals (not remembered) happen too.
     */
    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    void theChangeFeedHoldsEveryUnacknowledgedChangeOncePerRow(@ForAll("sessionsWithAcks") List<InventoryOp> ops) {
        InventoryBook book = new InventoryBook(SMALL_FEED);
        InventoryModel model = new InventoryModel(SMALL_FEED);
        BookSession session = new BookSession(book);
        // row -> the feed's last sequence before the latest step that changed it: the row's entry must
        // come after that. "Changed since the last acknowledgement" is then exactly: that sequence is at
        // or after the acknowledged one (an acknowledgement in the middle of a step's rows may
        // legitimately take some of them; the sync then holds their state already).
        Map<String, Long> skuChangedAfter = new HashMap<>();
        Map<String, Long> reservationChangedAfter = new HashMap<>();

        for (int i = 0; i < ops.size(); i++) {
            InventoryOp step = session.resolve(ops.get(i));
            if (step == null) {
                continue;
            }
            String where = "step " + (i + 1) + " " + step;
            long seqBefore = book.feed().lastSeq();
            Map<String, Figures> figuresBefore = figures(model);
            Map<String, String> reservationsBefore = reservations(model, FEW_REQUEST_IDS);

            if (step instanceof Command c) {
                assertSameAnswer(c, book, model, where);
            } else if (step instanceof AckUpTo ack) {
                assertAcknowledgeRemovesExactlyTheRowsUpTo(book.feed(), ack.seq(), where);
            }
            session.done(step);

            figures(model).forEach((sku, now) -> {
                if (!now.equals(figuresBefore.get(sku))) {
                    skuChangedAfter.put(sku, seqBefore);
                }
            });
            reservations(model, FEW_REQUEST_IDS).forEach((id, now) -> {
                if (!now.equals(reservationsBefore.get(id))) {
                    reservationChangedAfter.put(id, seqBefore);
                }
            });

            ChangeFeed feed = book.feed();
            assertFeedShape(feed, where);
            List<FeedRow> rows = feed.rows();
            skuChangedAfter.forEach((sku, changedAfter) -> {
                if (changedAfter >= feed.ackedSeq()) {
                    Sku row = book.sku(sku);
                    assertThat(rows).as("%s: the feed holds SKU %s", where, sku).contains(row);
                    assertThat(row.changeSeq()).as("%s: sequence of SKU %s", where, sku).isGreaterThan(changedAfter);
                    assertThat(figures(row)).as("%s: figures of SKU %s in the feed", where, sku)
                            .isEqualTo(model.figures(sku));
                }
            });
            reservationChangedAfter.forEach((id, changedAfter) -> {
                if (changedAfter >= feed.ackedSeq()) {
                    assertThat(rows.stream()
                            .filter(r -> r instanceof Reservation res && res.requestId().equals(id)
                                    && r.changeSeq() > changedAfter)
                            .map(r -> view((Reservation) r)))
                            .as("%s: the feed holds reservation %s as it is now", where, id)
                            .containsExactly(view(model.reservation(id)));
                }
            });
        }

        Statistics.label("answers").coverage(c -> c.check("Reserve -BACKLOG").count((Integer n) -> n > 0));
    }

    // ---- the model comparison ----

    interface ExtraCheck {
        void check(InventoryBook book, InventoryModel model, String where);
    }

    private static void runAgainstModel(BookSettings settings, List<String> requestIds, List<InventoryOp> ops,
                                        ExtraCheck extra) {
        InventoryBook book = new InventoryBook(settings);
        InventoryModel model = new InventoryModel(settings);
        BookSession session = new BookSession(book);
        for (int i = 0; i < ops.size(); i++) {
            InventoryOp step = session.resolve(ops.get(i));
            if (step == null) {
                continue;
            }
            String where = "step " + (i + 1) + " " + step;
            if (step instanceof Command c) {
                assertSameAnswer(c, book, model, where);
            } else if (step instanceof AckUpTo ack) {
                book.feed().acknowledge(ack.seq()); // the feed changes no answer while it is below maxFeedRows
            }
            session.done(step);
            assertInvariants(book, where);
            assertSameAsModel(book, model, requestIds, where);
            extra.check(book, model, where);
        }
    }

    static final String RETRIED = "request id remembered: answered from memory";

    /** Sends {@code c} to the model and to the book; they must answer alike. */
    private static void assertSameAnswer(Command c, InventoryBook book, InventoryModel model, String where) {
        model.feedIsFull(book.feed().size() >= book.settings().maxFeedRows());
        if (c instanceof Take t) {
            Statistics.label("takes").collect(model.knows(t.reqId()) ? RETRIED : "new request id");
        }
        if (c instanceof Restock r) {
            Statistics.label("restocks").collect(r.reqId() == null ? "plain"
                    : model.knowsRestock(r.reqId()) ? RETRIED : "new request id");
        }
        String expected = c.on(model);
        String actual = text(c.on(book));
        Statistics.label("answers").collect(c.getClass().getSimpleName() + " " + kind(expected));
        if (expected.startsWith("{")) {
            Statistics.label("detail").collect(expected.contains("replayed=:1") ? "replayed" : "first");
        }
        assertThat(actual).as(where).isEqualTo(expected);
    }

    /** DESIGN invariant 1: per SKU, total == available + reserved + sold, and no field negative. */
    static void assertInvariants(InventoryBook book, String where) {
        for (Sku s : book.skusInOrder()) {
            Figures f = figures(s);
            assertThat(f.total()).as("%s: SKU %s %s: total == available + reserved + sold", where, s.id(), f)
                    .isEqualTo(f.available() + f.reserved() + f.sold());
            assertThat(List.of(f.total(), f.available(), f.reserved(), f.sold()))
                    .as("%s: SKU %s %s: no field negative", where, s.id(), f)
                    .allSatisfy(n -> assertThat(n).isNotNegative());
        }
    }

    private static void assertSameAsModel(InventoryBook book, InventoryModel model, List<String> requestIds,
                                          String where) {
        assertThat(book.now()).as("%s: store time", where).isEqualTo(model.now());
        assertThat(book.skuCount()).as("%s: SKU count", where).isEqualTo(model.skuIds().size());
        for (String id : SKUS) {
            assertThat(figures(book.sku(id))).as("%s: figures of SKU %s", where, id).isEqualTo(model.figures(id));
            if (model.figures(id) != null) {
                // DESIGN invariant 2, no oversell: sold never exceeds what was ever put in
                assertThat(book.sku(id).sold()).as("%s: sold of %s within stock ever added", where, id)
                        .isLessThanOrEqualTo(model.everAdded(id));
                for (String user : USERS) {
                    assertThat(book.sku(id).held(user)).as("%s: units of %s held by %s", where, id, user)
                            .isEqualTo(model.held(id, user));
                }
            }
        }
        assertThat((long) book.pendingReservations()).as("%s: pending reservations", where).isEqualTo(model.pending());
        assertThat(book.rememberedRequestIds()).as("%s: remembered request ids", where)
                .isEqualTo(model.rememberedRequestIds());
        for (String id : requestIds) {
            assertThat(view(book.reservation(id))).as("%s: reservation %s", where, id)
                    .isEqualTo(view(model.reservation(id)));
        }
    }

    // ---- the snapshot comparison ----

    static byte[] snapshot(InventoryBook book) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BookSnapshot.write(book, new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    static InventoryBook restore(byte[] snapshot, BookSettings settings) throws IOException {
        return BookSnapshot.read(new DataInputStream(new ByteArrayInputStream(snapshot)), settings);
    }

    private static void assertIndistinguishable(InventoryBook original, InventoryBook restored, String where) {
        assertThat(restored.now()).as("%s: store time", where).isEqualTo(original.now());
        assertThat(skuState(restored)).as("%s: SKUs in order, with figures and holdings", where)
                .isEqualTo(skuState(original));
        assertThat(restored.pendingReservations()).as("%s: pending", where).isEqualTo(original.pendingReservations());
        assertThat(restored.rememberedRequestIds()).as("%s: remembered request ids", where)
                .isEqualTo(original.rememberedRequestIds());
        for (String id : MANY_REQUEST_IDS) {
            assertThat(view(restored.reservation(id))).as("%s: reservation %s", where, id)
                    .isEqualTo(view(original.reservation(id)));
        }
        assertThat(feedState(restored.feed())).as("%s: change feed", where).isEqualTo(feedState(original.feed()));
        assertThat(restored.restocksInOrder()).as("%s: remembered restock request ids", where)
                .containsExactlyElementsOf(original.restocksInOrder());
        assertThat(restored.outcomeCounts()).as("%s: outcome counters", where).isEqualTo(original.outcomeCounts());
        assertThat(restored.rejectCounts()).as("%s: reject counters", where).isEqualTo(original.rejectCounts());
    }

    private static List<String> skuState(InventoryBook book) {
        return book.skusInOrder().stream()
                .map(s -> {
                    Map<String, Long> held = new TreeMap<>();
                    s.holdings.forEach(held::put);
                    return s.id() + " " + figures(s) + " held " + held + " changed at #" + s.changeSeq();
                })
                .toList();
    }

    /** The feed as the sync sees it: last and acknowledged sequence, then each row with its sequence and identity. */
    private static List<String> feedState(ChangeFeed feed) {
        List<String> out = new ArrayList<>();
        out.add("last " + feed.lastSeq() + ", acked " + feed.ackedSeq() + ", size " + feed.size());
        for (FeedRow row : feed.rows()) {
            if (row instanceof Sku s) {
                out.add("#" + row.changeSeq() + " sku " + s.id() + " " + figures(s));
            } else {
                Reservation r = (Reservation) row;
                out.add("#" + row.changeSeq() + " reservation " + r.requestId() + " (ordinal " + r.ordinal + ") "
                        + view(r));
            }
        }
        return out;
    }

    // ---- the change feed's own rules ----

    private static void assertFeedShape(ChangeFeed feed, String where) {
        List<FeedRow> rows = feed.rows();
        assertThat(rows).as("%s: feed size", where).hasSize(feed.size());
        Set<FeedRow> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.addAll(rows);
        assertThat(distinct).as("%s: at most one entry per row", where).hasSameSizeAs(rows);
        List<Long> seqs = rows.stream().map(FeedRow::changeSeq).toList();
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as("%s: sequences increase from head to tail %s", where, seqs)
                    .isGreaterThan(seqs.get(i - 1));
        }
        if (!rows.isEmpty()) {
            assertThat(seqs.get(0)).as("%s: nothing acknowledged is still waiting", where)
                    .isGreaterThan(feed.ackedSeq());
            assertThat(seqs.get(seqs.size() - 1)).as("%s: the tail is the latest change", where)
                    .isEqualTo(feed.lastSeq());
        }
        // what INV.CHANGES afterSeq count serves: the rows after afterSeq, oldest first, at most count
        for (long afterSeq : seqs) {
            assertThat(feed.after(afterSeq, 2)).as("%s: after(%d, 2)", where, afterSeq)
                    .containsExactlyElementsOf(rows.stream().filter(r -> r.changeSeq() > afterSeq).limit(2).toList());
        }
    }

    private static void assertAcknowledgeRemovesExactlyTheRowsUpTo(ChangeFeed feed, long seq, String where) {
        List<FeedRow> before = feed.rows();
        long ackedBefore = feed.ackedSeq();
        long last = feed.lastSeq();
        List<FeedRow> kept = before.stream().filter(r -> r.changeSeq() > seq).toList();

        int removed = feed.acknowledge(seq);

        assertThat(feed.rows()).as("%s: rows left after acknowledging %d", where, seq).containsExactlyElementsOf(kept);
        assertThat(removed).as("%s: rows acknowledge(%d) reports removed", where, seq)
                .isEqualTo(before.size() - kept.size());
        assertThat(feed.ackedSeq()).as("%s: acknowledged sequence", where)
                .isEqualTo(Math.max(ackedBefore, Math.min(seq, last)));
        assertThat(feed.lastSeq()).as("%s: an acknowledgement assigns no sequence", where).isEqualTo(last);
    }

    // ---- small helpers ----

    /** Applies a session's ops to the book, answers unchecked. */
    private static void play(InventoryBook book, BookSession session, List<InventoryOp> ops) {
        for (InventoryOp op : ops) {
            InventoryOp step = session.resolve(op);
            apply(book, step);
            session.done(step);
        }
    }

    private static String apply(InventoryBook book, InventoryOp step) {
        if (step instanceof Command c) {
            return text(c.on(book));
        }
        if (step instanceof AckUpTo ack) {
            return ":" + book.feed().acknowledge(ack.seq());
        }
        return "(nothing to retry)";
    }

    static Figures figures(Sku s) {
        return s == null ? null : new Figures(s.total(), s.available(), s.reserved(), s.sold());
    }

    private static Map<String, Figures> figures(InventoryModel model) {
        Map<String, Figures> out = new LinkedHashMap<>();
        model.skuIds().forEach(id -> out.put(id, model.figures(id)));
        return out;
    }

    private static Map<String, String> reservations(InventoryModel model, List<String> ids) {
        Map<String, String> out = new LinkedHashMap<>();
        ids.forEach(id -> out.put(id, view(model.reservation(id))));
        return out;
    }

    /** A reservation as {@code INV.RESERVATION} shows it, plus its remembered first answer. */
    static String view(Reservation r) {
        if (r == null) {
            return "none";
        }
        List<Line> lines = IntStream.range(0, r.skus().length)
                .mapToObj(i -> new Line(r.skus()[i], r.quantities()[i])).toList();
        return view(r.state().name(), r.user(), lines, r.createdAt(), r.expiresAt(), r.updatedAt(), text(r.answer()));
    }

    static String view(InventoryModel.Request r) {
        if (r == null) {
            return "none";
        }
        return view(r.state.name(), r.user, r.lines, r.createdAt, r.expiresAt, r.finishedAt, r.firstAnswer);
    }

    private static String view(String state, String user, List<Line> lines, long created, long expires,
                               long updated, String answer) {
        return state + " user=" + user + " " + lines.stream().map(l -> l.sku() + "x" + l.qty())
                .collect(Collectors.joining(",")) + " created=" + created + " expires=" + expires
                + " updated=" + updated + " answer=" + answer;
    }

    /** The kind of an answer, for the statistics: "OK", ":n", "{detail}", or the error code. */
    private static String kind(String answer) {
        if (answer.startsWith(":")) {
            return ":n";
        }
        if (answer.startsWith("{")) {
            return "{detail}";
        }
        int space = answer.indexOf(' ');
        return space < 0 ? answer : answer.substring(0, space);
    }

    private static List<String> ids(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "r" + i).toList();
    }

    // ---- generators ----

    @Provide
    Arbitrary<List<InventoryOp>> sessions() {
        return session(ops(FEW_REQUEST_IDS, 1), 60);
    }

    @Provide
    Arbitrary<List<InventoryOp>> sessionsWithManyRequestIds() {
        return session(ops(MANY_REQUEST_IDS, 1), 60);
    }

    @Provide
    Arbitrary<List<InventoryOp>> sessionsWithAcks() {
        return session(ops(FEW_REQUEST_IDS, 6), 60);
    }

    @Provide
    Arbitrary<List<InventoryOp>> shortSessions() {
        return session(ops(MANY_REQUEST_IDS.subList(0, 6), 2), 35);
    }

    /**
     * Up to three creates first (else most sessions would spend themselves on NOSUCHSKU), then up
     * to {@code maxSteps} ops, uniformly many: jqwik's default size bias favours short lists.
     */
    private static Arbitrary<List<InventoryOp>> session(Arbitrary<InventoryOp> ops, int maxSteps) {
        Arbitrary<List<InventoryOp>> setup = Combinators.combine(sku(), total()).as(Create::new)
                .map(c -> (InventoryOp) c).list().ofMaxSize(3);
        Arbitrary<List<InventoryOp>> steps = ops.list().ofMaxSize(maxSteps)
                .withSizeDistribution(RandomDistribution.uniform());
        return Combinators.combine(setup, steps).as((a, b) -> {
            List<InventoryOp> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        });
    }

    private static Arbitrary<InventoryOp> ops(List<String> requestIds, int ackWeight) {
        Arbitrary<String> reqId = Arbitraries.of(requestIds);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Combinators.combine(sku(), total()).as(Create::new)),
                Tuple.of(3, Combinators.combine(sku(), delta(), reqId.injectNull(0.5)).as(Restock::new)),
                Tuple.of(9, Combinators.combine(sku(), qty(), reqId, userAndLimit(), ttl(), detail())
                        .as((sku, qty, id, ul, ttl, d) -> new Reserve(sku, qty, id, ul.user, ul.limit, ttl, d))),
                Tuple.of(3, Combinators.combine(sku(), qty(), reqId, userAndLimit(), detail())
                        .as((sku, qty, id, ul, d) -> new Deduct(sku, qty, id, ul.user, ul.limit, d))),
                Tuple.of(3, Combinators.combine(reqId, userAndLimit(), ttl(), lines())
                        .as((id, ul, ttl, lines) -> new ReserveAll(id, ul.user, ul.limit, ttl, lines))),
                Tuple.of(4, reqId.map(Confirm::new)),
                Tuple.of(3, reqId.map(Cancel::new)),
                Tuple.of(4, tick()),
                Tuple.of(3, Arbitraries.integers().between(0, 8).map(Retry::new)),
                Tuple.of(ackWeight, Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.of(false, true))
                        .as(Ack::new)));
    }

    /** A third of the takes ask for DETAIL. */
    private static Arbitrary<Boolean> detail() {
        return Arbitraries.frequency(Tuple.of(2, false), Tuple.of(1, true));
    }

    /** "d" is created less often, so NOSUCHSKU keeps coming up. */
    private static Arbitrary<String> sku() {
        return Arbitraries.frequency(Tuple.of(4, "a"), Tuple.of(3, "b"), Tuple.of(2, "c"), Tuple.of(1, "d"));
    }

    private static Arbitrary<Long> total() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.longs().between(0, 8)),
                Tuple.of(1, Arbitraries.longs().between(9, 1_000)),
                Tuple.of(1, Arbitraries.just(Long.MAX_VALUE)));
    }

    /** Restock deltas: mostly small either way, sometimes the extremes the parser accepts. */
    private static Arbitrary<Long> delta() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.longs().between(-6, 6)),
                Tuple.of(1, Arbitraries.of(Long.MIN_VALUE, -Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1)));
    }

    private static Arbitrary<Long> qty() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.longs().between(1, 3)),
                Tuple.of(2, Arbitraries.longs().between(4, 12)),
                Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MAX_VALUE / 2 + 1)));
    }

    private record UserAndLimit(String user, long limit) {}

    /** No user, a user without a limit, or a user with a limit of 0 to 4 (LIMIT needs USER). */
    private static Arbitrary<UserAndLimit> userAndLimit() {
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just(new UserAndLimit(null, -1))),
                Tuple.of(1, Arbitraries.of(USERS).map(u -> new UserAndLimit(u, -1))),
                Tuple.of(3, Combinators.combine(Arbitraries.of(USERS), Arbitraries.longs().between(0, 4))
                        .as(UserAndLimit::new)));
    }

    /** No TTL, a short one (expiries within the session), or the longest the parser allows. */
    private static Arbitrary<Long> ttl() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0L)),
                Tuple.of(3, Arbitraries.longs().between(1, 30)),
                Tuple.of(1, Arbitraries.just(CommandParser.MAX_TTL_MS)));
    }

    /** One to three lines, no SKU twice (the parser refuses that). */
    private static Arbitrary<List<Line>> lines() {
        return Combinators.combine(sku(), qty()).as(Line::new)
                .list().ofMinSize(1).ofMaxSize(3).uniqueElements(Line::sku);
    }

    /** Mostly forward, now and then far forward, sometimes back (a new leader's clock lagging). */
    private static Arbitrary<InventoryOp> tick() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 12)),
                Tuple.of(2, Arbitraries.longs().between(13, 60)),
                Tuple.of(1, Arbitraries.longs().between(-20, -1))).map(Tick::new);
    }
}
