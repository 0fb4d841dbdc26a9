package dev.seckill.store.inventory;

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
        out.writeInt(FORMAT);
        out.writeLong(book.now());
        out.writeLong(book.nextOrdinal());
        for (long n : book.outcomeCounts()) {
            out.writeLong(n);
        }
        long[] rejects = book.rejectCounts();
        out.writeInt(rejects.length);
        for (long n : rejects) {
            out.writeLong(n);
        }
        out.writeInt(book.skuCount());
        for (Sku s : book.skusInOrder()) {
            writeSku(s, out);
        }

        // finished first, in finish order (that order decides what is forgotten first), then pending
        // (their order does not matter: expiry orders them by time and ordinal)
        List<Reservation> remembered = new ArrayList<>(book.rememberedRequestIds());
        book.finishedInOrder().forEach(remembered::add);
        book.requests().forEach(r -> {
            if (r.state == ReservationState.RESERVED) {
                remembered.add(r);
            }
        });
        List<FeedRow> feedRows = book.feed().rows();
        List<Reservation> feedOnly = new ArrayList<>();
        for (FeedRow row : feedRows) {
            // a forgotten request still waiting for the sync (possibly with its id used again since)
            if (row instanceof Reservation r && book.requests().get(r.requestId) != r) {
                feedOnly.add(r);
            }
        }
        out.writeInt(remembered.size());
        for (Reservation r : remembered) {
            writeReservation(r, out);
        }
        out.writeInt(feedOnly.size());
        for (Reservation r : feedOnly) {
            writeReservation(r, out);
        }

        out.writeLong(book.feed().lastSeq());
        out.writeLong(book.feed().ackedSeq());
        out.writeInt(feedRows.size());
        for (FeedRow row : feedRows) {
            if (row instanceof Sku s) {
                out.writeByte(SKU_ROW);
                out.writeUTF(s.id);
            } else {
                out.writeByte(RESERVATION_ROW);
                out.writeLong(((Reservation) row).ordinal);
            }
            out.writeLong(row.changeSeq());
        }

        List<RestockRequest> restocks = new ArrayList<>();
        book.restocksInOrder().forEach(restocks::add);
        out.writeInt(restocks.size());
        for (RestockRequest r : restocks) {
            out.writeUTF(r.requestId());
            out.writeLong(r.at());
            writeAnswer(r.answer(), out);
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

    private static void writeSku(Sku s, DataOutput out) throws IOException {
        out.writeUTF(s.id);
        out.writeLong(s.total);
        out.writeLong(s.available);
        out.writeLong(s.reserved);
        out.writeLong(s.sold);
        out.writeInt(s.holdings.size());
        for (Map.Entry<String, long[]> h : s.holdings.entrySet()) {
            out.writeUTF(h.getKey());
            out.writeLong(h.getValue()[0]);
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

    private static void writeReservation(Reservation r, DataOutput out) throws IOException {
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
        out.writeLong(r.updatedAt);
        out.writeByte(r.state.ordinal());
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
