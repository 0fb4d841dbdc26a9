package dev.seckill.store.inventory;

import dev.seckill.store.feed.ChangeFeed;
import dev.seckill.store.feed.FeedRow;
import dev.seckill.store.snapshot.SnapshotStrings;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The snapshot a book's live state says it should write, the plain way: walks every SKU, every
 * remembered reservation and the whole feed, and writes at once (what {@link BookSnapshot#freeze}
 * did before it learnt to hand over views). The oracle the frozen snapshot must equal byte for byte.
 */
final class ReferenceSnapshot {
    private ReferenceSnapshot() {
    }

    static byte[] of(InventoryBook book) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(BookSnapshot.FORMAT);
        out.writeLong(book.now());
        out.writeLong(book.nextOrdinal());
        for (long n : book.outcomeCounts()) {
            out.writeLong(n);
        }
        out.writeInt(book.rejectCounts().length);
        for (long n : book.rejectCounts()) {
            out.writeLong(n);
        }
        out.writeInt(book.skusInOrder().size());
        for (Sku s : book.skusInOrder()) {
            SnapshotStrings.write(out, s.id);
            out.writeLong(s.total);
            out.writeLong(s.available);
            out.writeLong(s.reserved);
            out.writeLong(s.sold);
            out.writeInt(s.holdings.size());
            s.holdings.forEach((user, held) -> {
                SnapshotStrings.write(out, user);
                out.writeLong(held);
            });
            out.writeLong(s.changeSeq());
        }

        List<Reservation> remembered = new ArrayList<>();
        book.finishedInOrder().forEach(remembered::add);
        book.requests().forEach(r -> {
            if (r.state == ReservationState.RESERVED) {
                remembered.add(r);
            }
        });
        out.writeInt(remembered.size());
        for (Reservation r : remembered) {
            BookSnapshot.writeReservation(r, r.state, r.updatedAt, out);
        }
        ChangeFeed feed = book.feed();
        List<Reservation> feedOnly = new ArrayList<>();
        for (FeedRow row : feed.rows()) {
            if (row instanceof Reservation r && !r.remembered()) {
                feedOnly.add(r);
            }
        }
        out.writeInt(feedOnly.size());
        for (Reservation r : feedOnly) {
            BookSnapshot.writeReservation(r, r.state, r.updatedAt, out);
        }

        out.writeLong(feed.lastSeq());
        out.writeLong(feed.ackedSeq());
        out.writeInt(feed.size());
        for (FeedRow row : feed.rows()) {
            if (row instanceof Sku s) {
                out.writeByte(0);
                SnapshotStrings.write(out, s.id);
            } else {
                out.writeByte(1);
                out.writeLong(((Reservation) row).ordinal);
            }
            out.writeLong(row.changeSeq());
        }

        List<RestockRequest> restocks = new ArrayList<>();
        book.restocksInOrder().forEach(restocks::add);
        out.writeInt(restocks.size());
        for (RestockRequest r : restocks) {
            SnapshotStrings.write(out, r.requestId());
            out.writeLong(r.at());
            BookSnapshot.writeAnswer(r.answer(), out);
        }
        out.flush();
        return bytes.toByteArray();
    }
}
