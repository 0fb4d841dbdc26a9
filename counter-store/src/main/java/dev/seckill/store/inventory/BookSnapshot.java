package dev.seckill.store.inventory;

import dev.seckill.store.feed.ChangeFeed;
import dev.seckill.store.feed.FeedRow;
import dev.seckill.store.protocol.Reply;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
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
    /** 2 added the remembered restock request ids; format 1 snapshots are still read. */
    private static final int FORMAT = 2;
    private static final byte SKU_ROW = 0;
    private static final byte RESERVATION_ROW = 1;

    private BookSnapshot() {
    }

    public static void write(InventoryBook book, DataOutput out) throws IOException {
        freeze(book).writeTo(out);
    }

    /**
     * The book as it is now, for writing later on another thread while the single writer goes on
     * changing the book. Called by the writer; costs a copy of references (no serialisation), so
     * the apply thread stops for milliseconds where writing millions of reservations takes seconds.
     *
     * <p>What a frozen view keeps by reference never changes once frozen: ids, request ids,
     * answers, quantity arrays, and every finished reservation (a reservation changes only while
     * it is RESERVED). What can still change (SKU figures and holdings, the feed order and its
     * sequence numbers, which reservations are pending) is copied.
     */
    public static Frozen freeze(InventoryBook book) {
        List<Sku> skuOrder = book.skusInOrder();
        SkuFigures[] skus = new SkuFigures[skuOrder.size()];
        for (int i = 0; i < skus.length; i++) {
            skus[i] = SkuFigures.of(skuOrder.get(i));
        }

        // finished first, in finish order (that order decides what is forgotten first), then pending
        // (their order does not matter: expiry orders them by time and ordinal)
        List<Reservation> remembered = new ArrayList<>(book.rememberedRequestIds());
        book.finishedInOrder().forEach(remembered::add);
        int finishedCount = remembered.size();
        book.requests().forEach(r -> {
            if (r.state == ReservationState.RESERVED) {
                remembered.add(r);
            }
        });
        long[] pendingUpdatedAt = new long[remembered.size() - finishedCount];
        for (int i = 0; i < pendingUpdatedAt.length; i++) {
            pendingUpdatedAt[i] = remembered.get(finishedCount + i).updatedAt;
        }

        ChangeFeed feed = book.feed();
        FeedRow[] feedRows = new FeedRow[feed.size()];
        long[] feedSeqs = new long[feedRows.length];
        List<Reservation> feedOnly = new ArrayList<>();
        int f = 0;
        for (FeedRow row = feed.first(); row != null; row = ChangeFeed.next(row)) {
            feedRows[f] = row;
            feedSeqs[f++] = row.changeSeq();
            // a forgotten request still waiting for the sync (possibly with its id used again since)
            if (row instanceof Reservation r && !r.remembered()) {
                feedOnly.add(r);
            }
        }
        List<RestockRequest> restocks = new ArrayList<>();
        book.restocksInOrder().forEach(restocks::add);
        return new Frozen(book.now(), book.nextOrdinal(), book.outcomeCounts(), book.rejectCounts().clone(), skus,
                remembered.toArray(new Reservation[0]), finishedCount, pendingUpdatedAt, feedOnly.toArray(new Reservation[0]),
                feed.lastSeq(), feed.ackedSeq(), feedRows, feedSeqs, restocks.toArray(new RestockRequest[0]));
    }

    /** A SKU's figures and holdings at the moment of a freeze. */
    private record SkuFigures(String id, long total, long available, long reserved, long sold,
                              String[] holders, long[] held) {
        static SkuFigures of(Sku s) {
            String[] holders = new String[s.holdings.size()];
            long[] held = new long[holders.length];
            int i = 0;
            for (Map.Entry<String, long[]> h : s.holdings.entrySet()) {
                holders[i] = h.getKey();
                held[i++] = h.getValue()[0];
            }
            return new SkuFigures(s.id, s.total, s.available, s.reserved, s.sold, holders, held);
        }
    }

    /** A book frozen by {@link #freeze}: writes the snapshot the book would have written then. */
    public static final class Frozen {
        private final long now;
        private final long nextOrdinal;
        private final long[] outcomes;
        private final long[] rejects;
        private final SkuFigures[] skus;
        private final Reservation[] remembered;
        private final int finishedCount;
        private final long[] pendingUpdatedAt;
        private final Reservation[] feedOnly;
        private final long lastSeq;
        private final long ackedSeq;
        private final FeedRow[] feedRows;
        private final long[] feedSeqs;
        private final RestockRequest[] restocks;

        private Frozen(long now, long nextOrdinal, long[] outcomes, long[] rejects, SkuFigures[] skus,
                       Reservation[] remembered, int finishedCount, long[] pendingUpdatedAt,
                       Reservation[] feedOnly, long lastSeq, long ackedSeq, FeedRow[] feedRows, long[] feedSeqs,
                       RestockRequest[] restocks) {
            this.now = now;
            this.nextOrdinal = nextOrdinal;
            this.outcomes = outcomes;
            this.rejects = rejects;
            this.skus = skus;
            this.remembered = remembered;
            this.finishedCount = finishedCount;
            this.pendingUpdatedAt = pendingUpdatedAt;
            this.feedOnly = feedOnly;
            this.lastSeq = lastSeq;
            this.ackedSeq = ackedSeq;
            this.feedRows = feedRows;
            this.feedSeqs = feedSeqs;
            this.restocks = restocks;
        }

        /** Reservations this snapshot holds (remembered and feed-only), for the log line. */
        public int reservations() {
            return remembered.length + feedOnly.length;
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
            }
            out.writeInt(remembered.length);
            for (int i = 0; i < finishedCount; i++) {
                Reservation r = remembered[i];
                writeReservation(r, r.state, r.updatedAt, out);
            }
            for (int i = finishedCount; i < remembered.length; i++) {
                writeReservation(remembered[i], ReservationState.RESERVED, pendingUpdatedAt[i - finishedCount], out);
            }
            out.writeInt(feedOnly.length);
            for (Reservation r : feedOnly) {
                writeReservation(r, r.state, r.updatedAt, out);
            }

            out.writeLong(lastSeq);
            out.writeLong(ackedSeq);
            out.writeInt(feedRows.length);
            for (int i = 0; i < feedRows.length; i++) {
                if (feedRows[i] instanceof Sku s) {
                    out.writeByte(SKU_ROW);
                    out.writeUTF(s.id);
                } else {
                    out.writeByte(RESERVATION_ROW);
                    out.writeLong(((Reservation) feedRows[i]).ordinal);
                }
                out.writeLong(feedSeqs[i]);
            }

            out.writeInt(restocks.length);
            for (RestockRequest r : restocks) {
                out.writeUTF(r.requestId());
                out.writeLong(r.at());
                writeAnswer(r.answer(), out);
            }
        }
    }

    public static InventoryBook read(DataInput in, BookSettings settings) throws IOException {
        int format = in.readInt();
        if (format != 1 && format != FORMAT) {
            throw new IOException("unknown snapshot format " + format);
        }
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
            book.restoreSku(readSku(in));
        }
        Map<Long, Reservation> byOrdinal = new HashMap<>();
        int remembered = in.readInt();
        for (int i = 0; i < remembered; i++) {
            Reservation r = readReservation(in);
            byOrdinal.put(r.ordinal, r);
            book.restoreRequest(r);
        }
        int feedOnly = in.readInt();
        for (int i = 0; i < feedOnly; i++) {
            Reservation r = readReservation(in);
            byOrdinal.put(r.ordinal, r);
        }
        long lastSeq = in.readLong();
        long ackedSeq = in.readLong();
        int rows = in.readInt();
        for (int i = 0; i < rows; i++) {
            byte kind = in.readByte();
            FeedRow row = kind == SKU_ROW ? book.sku(in.readUTF()) : byOrdinal.get(in.readLong());
            long seq = in.readLong();
            if (row == null) {
                throw new IOException("snapshot feed names a row it does not hold");
            }
            book.feed().restore(row, seq);
        }
        book.feed().restoreSequences(lastSeq, ackedSeq);
        if (format >= 2) {
            int restocks = in.readInt();
            for (int i = 0; i < restocks; i++) {
                String reqId = in.readUTF();
                long at = in.readLong();
                book.restoreRestock(new RestockRequest(reqId, readAnswer(in), at));
            }
        }
        return book;
    }

    private static void writeSku(SkuFigures s, DataOutput out) throws IOException {
        out.writeUTF(s.id());
        out.writeLong(s.total());
        out.writeLong(s.available());
        out.writeLong(s.reserved());
        out.writeLong(s.sold());
        out.writeInt(s.holders().length);
        for (int i = 0; i < s.holders().length; i++) {
            out.writeUTF(s.holders()[i]);
            out.writeLong(s.held()[i]);
        }
    }

    private static Sku readSku(DataInput in) throws IOException {
        Sku s = new Sku(in.readUTF(), 0);
        s.total = in.readLong();
        s.available = in.readLong();
        s.reserved = in.readLong();
        s.sold = in.readLong();
        int holders = in.readInt();
        for (int i = 0; i < holders; i++) {
            s.holdings.put(in.readUTF(), new long[] {in.readLong()});
        }
        return s;
    }

    private static void writeReservation(Reservation r, ReservationState state, long updatedAt, DataOutput out)
            throws IOException {
        out.writeLong(r.ordinal);
        out.writeUTF(r.requestId);
        out.writeBoolean(r.user != null);
        if (r.user != null) {
            out.writeUTF(r.user);
        }
        out.writeInt(r.skus.length);
        for (int i = 0; i < r.skus.length; i++) {
            out.writeUTF(r.skus[i]);
            out.writeLong(r.quantities[i]);
        }
        out.writeLong(r.createdAt);
        out.writeLong(r.expiresAt);
        out.writeLong(updatedAt);
        out.writeByte(state.ordinal());
        writeAnswer(r.answer(), out);
    }

    private static Reservation readReservation(DataInput in) throws IOException {
        long ordinal = in.readLong();
        String reqId = in.readUTF();
        String user = in.readBoolean() ? in.readUTF() : null;
        int lines = in.readInt();
        String[] skus = new String[lines];
        long[] qtys = new long[lines];
        for (int i = 0; i < lines; i++) {
            skus[i] = in.readUTF();
            qtys[i] = in.readLong();
        }
        long createdAt = in.readLong();
        long expiresAt = in.readLong();
        long updatedAt = in.readLong();
        ReservationState state = ReservationState.values()[in.readByte()];
        Reply answer = readAnswer(in);
        Reservation r = new Reservation(reqId, user, skus, qtys, createdAt, expiresAt, ordinal, answer, state);
        r.updatedAt = updatedAt;
        return r;
    }

    // a remembered answer is one of: +OK, :n, -error
    private static void writeAnswer(Reply answer, DataOutput out) throws IOException {
        if (answer instanceof Reply.Int i) {
            out.writeByte(':');
            out.writeLong(i.value());
        } else if (answer instanceof Reply.Error e) {
            out.writeByte('-');
            out.writeUTF(e.text());
        } else {
            out.writeByte('+');
            out.writeUTF(((Reply.Status) answer).text());
        }
    }

    private static Reply readAnswer(DataInput in) throws IOException {
        byte kind = in.readByte();
        return switch (kind) {
            case ':' -> Reply.integer(in.readLong());
            case '-' -> Reply.error(in.readUTF());
            default -> {
                String text = in.readUTF();
                yield "OK".equals(text) ? Reply.OK : new Reply.Status(text);
            }
        };
    }
}
