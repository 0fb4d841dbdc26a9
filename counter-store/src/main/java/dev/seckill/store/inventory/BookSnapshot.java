package dev.seckill.store.inventory;

import dev.seckill.store.collection.AppendLog;
import dev.seckill.store.collection.StringLongMap;
import dev.seckill.store.feed.ChangeFeed;
import dev.seckill.store.feed.FeedRow;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.snapshot.SnapshotStrings;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a book to a stream and reads it back, exactly: a replica that installs the snapshot
 * answers every later command as the one that wrote it.
 *
 * <p>Reservations are written once each and referred to by their ordinal, which is unique even
 * when a forgotten request id was used again by a later request and both still wait in the feed.
 */
public final class BookSnapshot {
    /**
     * The snapshot's first int. 2 added the remembered restock request ids; 3 writes every string
     * as length-prefixed bytes ({@link SnapshotStrings}), so a key of any length can be written, and
     * every SKU's latest change sequence (it was written for SKUs still in the feed only; EXEC
     * compares it with what WATCH read, so every replica must know it). Formats 1 and 2 are still read.
     */
    public static final int FORMAT = 3;
    private static final byte SKU_ROW = 0;
    private static final byte RESERVATION_ROW = 1;

    private BookSnapshot() {
    }

    public static void write(InventoryBook book, DataOutput out) throws IOException {
        freeze(book).writeTo(out);
    }

    /**
     * The book as it is now, for writing later on another thread while the single writer goes on
     * changing the book. Called by the writer (the apply thread); costs O(SKUs + chunks + changes
     * the sync acknowledged since the last freeze), not O(reservations or users): a 4-million
     * reservation book freezes in well under a millisecond.
     *
     * <p>How the writer finds the freeze moment without a copy of every reservation:
     * <ul>
     * <li>remembered request ids: the request table's slots and the holdings are copy-on-write
     *     chunks ({@link RequestTable#freeze}, {@link StringLongMap#freeze}), handed over by their
     *     chunk directories; the finished and restock queues are {@link AppendLog}s, whose views
     *     are the slots added before the freeze, never written again.</li>
     * <li>which reservations were pending then, and their state: the book ends a freeze period
     *     here, and a reservation records the period it finished in ({@link Reservation#finishedIn}),
     *     once, on the apply thread. Finished in this period or before: its state, updatedAt and feed
     *     sequence are final and were written before the freeze (visible to the writer through the
     *     executor's hand-off). Anything else, whatever the writer's racy read of the mark returns
     *     (the old value or a later period): RESERVED, updatedAt = createdAt, as it was.</li>
     * <li>the feed: SKU rows by their copied sequence numbers; reservation rows from the log of
     *     reservation changes since the acknowledged sequence (a reservation's row is its latest
     *     change then), and those the book had forgotten by then by {@link Reservation#forgottenIn}.</li>
     * </ul>
     */
    public static Frozen freeze(InventoryBook book) {
        List<Sku> skuOrder = book.skusInOrder();
        SkuFigures[] skus = new SkuFigures[skuOrder.size()];
        for (int i = 0; i < skus.length; i++) {
            skus[i] = SkuFigures.of(skuOrder.get(i));
        }
        Views views = new Views();
        int period = book.freeze(views);
        ChangeFeed feed = book.feed();
        return new Frozen(book.now(), book.nextOrdinal(), book.outcomeCounts(), book.rejectCounts().clone(), skus,
                views, period, feed.lastSeq(), feed.ackedSeq());
    }

    /** What {@link InventoryBook#freeze} hands over: views that never change. */
    static final class Views {
        AppendLog.View<Reservation> finished;
        AppendLog.View<RestockRequest> restocks;
        AppendLog.View<Reservation> reservationChanges;
        RequestTable.Frozen requests;
        int pending;
    }

    /** A SKU's figures, holdings and place in the feed at the moment of a freeze. */
    private record SkuFigures(Sku sku, long total, long available, long reserved, long sold,
                              StringLongMap.Frozen holdings, boolean inFeed, long seq) {
        static SkuFigures of(Sku s) {
            return new SkuFigures(s, s.total, s.available, s.reserved, s.sold, s.holdings.freeze(), s.inFeed(),
                    s.changeSeq());
        }
    }

    /** A book frozen by {@link #freeze}: writes the snapshot the book would have written then. */
    public static final class Frozen {
        private final long now;
        private final long nextOrdinal;
        private final long[] outcomes;
        private final long[] rejects;
        private final SkuFigures[] skus;
        private final Views views;
        /** The freeze period that ended at the freeze: marks up to it were made before. */
        private final int period;
        private final long lastSeq;
        private final long ackedSeq;
        private volatile int reservations = -1;

        private Frozen(long now, long nextOrdinal, long[] outcomes, long[] rejects, SkuFigures[] skus,
                       Views views, int period, long lastSeq, long ackedSeq) {
            this.now = now;
            this.nextOrdinal = nextOrdinal;
            this.outcomes = outcomes;
            this.rejects = rejects;
            this.skus = skus;
            this.views = views;
            this.period = period;
            this.lastSeq = lastSeq;
            this.ackedSeq = ackedSeq;
        }

        /** Reservations the snapshot held (remembered and feed-only), for the log line; -1 before {@link #writeTo}. */
        public int reservations() {
            return reservations;
        }

        private boolean finishedByThen(Reservation r) {
            return r.finishedIn <= period;
        }

        public void writeTo(DataOutput out) throws IOException {
            out.writeInt(FORMAT);
            out.writeLong(now);
            out.writeLong(nextOrdinal);
            for (long n : outcomes) {
                out.writeLong(n);
            }
            out.writeInt(rejects.length);
            for (long n : rejects) {
                out.writeLong(n);
            }
            out.writeInt(skus.length);
            for (SkuFigures s : skus) {
                writeSku(s, out);
                out.writeLong(s.seq());
            }

            // finished first, in finish order (that order decides what is forgotten first), then
            // pending in slot order (their order does not matter: expiry orders them by time and ordinal)
            AppendLog.View<Reservation> finished = views.finished;
            out.writeInt(finished.size() + views.pending);
            for (Reservation r : finished) {
                writeReservation(r, r.state, r.updatedAt, out);
            }
            int[] pending = {0};
            views.requests.forEach(r -> {
                if (!finishedByThen(r)) {
                    writeReservation(r, ReservationState.RESERVED, r.createdAt, out);
                    pending[0]++;
                }
            });
            if (pending[0] != views.pending) { // the count is written already: never write a torn snapshot
                throw new IllegalStateException("frozen book had " + views.pending + " pending reservations, found "
                        + pending[0]);
            }

            // the feed's reservation rows then: each reservation's latest change up to the freeze
            AppendLog.View<Reservation> changes = views.reservationChanges;
            Reservation[] rows = new Reservation[changes.size()];
            long[] rowSeqs = new long[changes.size()];
            int rowCount = 0;
            List<Reservation> feedOnly = new ArrayList<>();
            for (int i = 0; i < changes.size(); i++) {
                Reservation r = changes.get(i);
                long seq = changes.number(i);
                if (seq > ackedSeq && (!finishedByThen(r) || r.changeSeq() == seq)) {
                    rows[rowCount] = r;
                    rowSeqs[rowCount++] = seq;
                    // a forgotten request still waiting for the sync (possibly with its id used again since)
                    if (r.forgottenIn <= period) {
                        feedOnly.add(r);
                    }
                }
            }
            out.writeInt(feedOnly.size());
            for (Reservation r : feedOnly) {
                writeReservation(r, r.state, r.updatedAt, out);
            }
            reservations = finished.size() + views.pending + feedOnly.size();

            out.writeLong(lastSeq);
            out.writeLong(ackedSeq);
            writeFeed(rows, rowSeqs, rowCount, out);

            out.writeInt(views.restocks.size());
            for (RestockRequest r : views.restocks) {
                SnapshotStrings.write(out, r.requestId());
                out.writeLong(r.at());
                writeAnswer(r.answer(), out);
            }
        }

        /** The feed rows in sequence order: the SKUs that were in the feed merged into the reservation rows. */
        private void writeFeed(Reservation[] rows, long[] rowSeqs, int rowCount, DataOutput out) throws IOException {
            List<SkuFigures> skuRows = new ArrayList<>();
            for (SkuFigures s : skus) {
                if (s.inFeed()) {
                    skuRows.add(s);
                }
            }
            skuRows.sort(Comparator.comparingLong(SkuFigures::seq));
            out.writeInt(skuRows.size() + rowCount);
            int k = 0;
            for (int i = 0; i < rowCount; i++) {
                long seq = rowSeqs[i];
                for (; k < skuRows.size() && skuRows.get(k).seq() < seq; k++) {
                    writeSkuRow(skuRows.get(k), out);
                }
                out.writeByte(RESERVATION_ROW);
                out.writeLong(rows[i].ordinal);
                out.writeLong(seq);
            }
            for (; k < skuRows.size(); k++) {
                writeSkuRow(skuRows.get(k), out);
            }
        }

        private static void writeSkuRow(SkuFigures s, DataOutput out) throws IOException {
            out.writeByte(SKU_ROW);
            SnapshotStrings.write(out, s.sku().id);
            out.writeLong(s.seq());
        }
    }

    public static InventoryBook read(DataInput in, BookSettings settings) throws IOException {
        return read(in, settings, readFormat(in));
    }

    /** The snapshot's first int: its format, which decides how the rest is read. */
    public static int readFormat(DataInput in) throws IOException {
        int format = in.readInt();
        if (format < 1 || format > FORMAT) {
            throw new IOException("unknown snapshot format " + format + " (this version reads 1 to " + FORMAT + ")");
        }
        return format;
    }

    /** Reads the book that follows the format {@link #readFormat} read. */
    public static InventoryBook read(DataInput in, BookSettings settings, int format) throws IOException {
        InventoryBook book = new InventoryBook(settings);
        long now = in.readLong();
        long nextOrdinal = in.readLong();
        long[] outcomes = new long[4];
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = in.readLong();
        }
        book.restoreClock(now, nextOrdinal, outcomes);
        int rejectKinds = in.readInt();
        long[] rejects = book.rejectCounts();
        for (int i = 0; i < rejectKinds; i++) {
            long n = in.readLong();
            if (i < rejects.length) {
                rejects[i] = n;
            }
        }
        int skuCount = in.readInt();
        for (int i = 0; i < skuCount; i++) {
            Sku s = readSku(in, format);
            book.restoreSku(s);
            if (format >= 3) {
                // every SKU's latest change, acknowledged or not: EXEC compares it with what WATCH read
                book.feed().restoreSequence(s, in.readLong());
            }
        }
        Map<Long, Reservation> byOrdinal = new HashMap<>();
        int remembered = in.readInt();
        for (int i = 0; i < remembered; i++) {
            Reservation r = readReservation(in, format);
            byOrdinal.put(r.ordinal, r);
            book.restoreRequest(r);
        }
        int feedOnly = in.readInt();
        for (int i = 0; i < feedOnly; i++) {
            Reservation r = readReservation(in, format);
            r.forgottenIn = 0; // forgotten before this book's first freeze period
            byOrdinal.put(r.ordinal, r);
        }
        long lastSeq = in.readLong();
        long ackedSeq = in.readLong();
        int rows = in.readInt();
        for (int i = 0; i < rows; i++) {
            byte kind = in.readByte();
            FeedRow row = kind == SKU_ROW ? book.sku(SnapshotStrings.read(in, format)) : byOrdinal.get(in.readLong());
            long seq = in.readLong();
            if (row == null) {
                throw new IOException("snapshot feed names a row it does not hold");
            }
            book.restoreFeedRow(row, seq);
        }
        book.feed().restoreSequences(lastSeq, ackedSeq);
        if (format >= 2) {
            int restocks = in.readInt();
            for (int i = 0; i < restocks; i++) {
                String reqId = SnapshotStrings.read(in, format);
                long at = in.readLong();
                book.restoreRestock(new RestockRequest(reqId, readAnswer(in, format), at));
            }
        }
        return book;
    }

    private static void writeSku(SkuFigures s, DataOutput out) throws IOException {
        SnapshotStrings.write(out, s.sku().id);
        out.writeLong(s.total());
        out.writeLong(s.available());
        out.writeLong(s.reserved());
        out.writeLong(s.sold());
        out.writeInt(s.holdings().size());
        s.holdings().forEach((user, held) -> {
            SnapshotStrings.write(out, user);
            out.writeLong(held);
        });
    }

    private static Sku readSku(DataInput in, int format) throws IOException {
        Sku s = new Sku(SnapshotStrings.read(in, format), 0);
        s.total = in.readLong();
        s.available = in.readLong();
        s.reserved = in.readLong();
        s.sold = in.readLong();
        int holders = in.readInt();
        for (int i = 0; i < holders; i++) {
            String user = SnapshotStrings.read(in, format);
            long held = in.readLong();
            if (s.holdings.find(user) != StringLongMap.ABSENT) {
                throw new IOException("snapshot holds user " + user + " twice for SKU " + s.id);
            }
            s.holdings.insert(user, held);
        }
        return s;
    }

    static void writeReservation(Reservation r, ReservationState state, long updatedAt, DataOutput out)
            throws IOException {
        out.writeLong(r.ordinal);
        SnapshotStrings.write(out, r.requestId);
        out.writeBoolean(r.user != null);
        if (r.user != null) {
            SnapshotStrings.write(out, r.user);
        }
        out.writeInt(r.skus.length);
        for (int i = 0; i < r.skus.length; i++) {
            SnapshotStrings.write(out, r.skus[i]);
            out.writeLong(r.quantities[i]);
        }
        out.writeLong(r.createdAt);
        out.writeLong(r.expiresAt);
        out.writeLong(updatedAt);
        out.writeByte(state.ordinal());
        writeAnswer(r.answer(), out);
    }

    private static Reservation readReservation(DataInput in, int format) throws IOException {
        long ordinal = in.readLong();
        String reqId = SnapshotStrings.read(in, format);
        String user = in.readBoolean() ? SnapshotStrings.read(in, format) : null;
        int lines = in.readInt();
        String[] skus = new String[lines];
        long[] qtys = new long[lines];
        for (int i = 0; i < lines; i++) {
            skus[i] = SnapshotStrings.read(in, format);
            qtys[i] = in.readLong();
        }
        long createdAt = in.readLong();
        long expiresAt = in.readLong();
        long updatedAt = in.readLong();
        ReservationState state = ReservationState.values()[in.readByte()];
        Reply answer = readAnswer(in, format);
        Reservation r = new Reservation(reqId, user, skus, qtys, createdAt, expiresAt, ordinal, answer, state);
        r.updatedAt = updatedAt;
        return r;
    }

    // a remembered answer is one of: +OK, :n, -error
    static void writeAnswer(Reply answer, DataOutput out) throws IOException {
        if (answer instanceof Reply.Int i) {
            out.writeByte(':');
            out.writeLong(i.value());
        } else if (answer instanceof Reply.Error e) {
            out.writeByte('-');
            SnapshotStrings.write(out, e.text());
        } else {
            out.writeByte('+');
            SnapshotStrings.write(out, ((Reply.Status) answer).text());
        }
    }

    private static Reply readAnswer(DataInput in, int format) throws IOException {
        byte kind = in.readByte();
        return switch (kind) {
            case ':' -> Reply.integer(in.readLong());
            case '-' -> Reply.error(SnapshotStrings.read(in, format));
            default -> {
                String text = SnapshotStrings.read(in, format);
                yield "OK".equals(text) ? Reply.OK : new Reply.Status(text);
            }
        };
    }
}
