package dev.seckill.store.shard;

import dev.seckill.store.command.Command;
import dev.seckill.store.counter.Counters;
import dev.seckill.store.feed.FeedRow;
import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.inventory.BookSnapshot;
import dev.seckill.store.inventory.InventoryBook;
import dev.seckill.store.inventory.Reservation;
import dev.seckill.store.inventory.ReservationReplies;
import dev.seckill.store.inventory.Sku;
import dev.seckill.store.protocol.Reply;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Everything one Raft group holds (the inventory book and the plain counters) and the one place
 * where a {@link Command} becomes a change and a {@link Reply}. Deterministic and single-threaded
 * like the book: the state machine calls it in log order from its apply thread.
 */
public final class ShardState {
    private static final Reply TOTAL = Reply.bulk("total");
    private static final Reply AVAILABLE = Reply.bulk("available");
    private static final Reply RESERVED = Reply.bulk("reserved");
    private static final Reply SOLD = Reply.bulk("sold");

    private InventoryBook book;
    private Counters counters;
    private KeyVersions versions;

    public ShardState(BookSettings settings) {
        this(new InventoryBook(settings), new Counters(), new KeyVersions());
    }

    private ShardState(InventoryBook book, Counters counters, KeyVersions versions) {
        this.book = book;
        this.counters = counters;
        this.versions = versions;
    }

    /** The log index of the entry about to be applied (WATCH's versions start from it). */
    public void beginEntry(long logIndex) {
        versions.beginEntry(logIndex);
    }

    /** Store time of the entry being applied; expires what is due. */
    public void advanceTo(long leaderTime) {
        book.advanceTo(leaderTime);
    }

    public Reply execute(Command c) {
        return switch (c.op()) {
            case GET -> counters.get(c.key());
            case SET -> set(c);
            case INCR -> incrementBy(c.key(), 1);
            case DECR -> incrementBy(c.key(), -1);
            case INCRBY -> incrementBy(c.key(), c.number());
            case DECRBY -> c.number() == Long.MIN_VALUE
                    ? Reply.error("ERR decrement would overflow")
                    : incrementBy(c.key(), -c.number());
            case DEL -> {
                long n = 0;
                for (String k : c.keys()) {
                    if (counters.delete(k)) {
                        versions.changed(k);
                        n++;
                    }
                }
                yield Reply.integer(n);
            }
            case EXISTS -> {
                long n = 0;
                for (String k : c.keys()) {
                    n += counters.exists(k) ? 1 : 0;
                }
                yield Reply.integer(n);
            }
            case MGET -> {
                List<Reply> values = new ArrayList<>(c.keys().length);
                for (String k : c.keys()) {
                    values.add(counters.get(k));
                }
                yield new Reply.Array(values);
            }
            case DBSIZE -> Reply.integer(counters.size()); // SKUs are not keys: GET and EXISTS do not see them
            case INV_CREATE -> book.create(c.key(), c.number());
            case INV_RESTOCK -> book.restock(c.key(), c.number(), c.requestId());
            case INV_GET -> stock(book.sku(c.key()));
            case INV_RESERVE -> book.reserve(c.key(), c.number(), c.requestId(), c.user(), c.limit(), c.ttlMs(), c.detail());
            case INV_DEDUCT -> book.deduct(c.key(), c.number(), c.requestId(), c.user(), c.limit(), c.detail());
            case INV_RESERVEALL -> book.reserveAll(c.requestId(), c.user(), c.limit(), c.ttlMs(), c.keys(), c.quantities());
            case INV_CONFIRM -> book.confirm(c.requestId());
            case INV_CANCEL -> book.cancel(c.requestId());
            case INV_RESERVATION -> ReservationReplies.reservation(book.reservation(c.requestId()));
            case INV_SCAN -> {
                InventoryBook.ScanPage page = book.scan(c.number(), (int) c.count());
                List<Reply> ids = new ArrayList<>(page.skuIds().size());
                page.skuIds().forEach(id -> ids.add(Reply.bulk(id)));
                yield new Reply.Array(List.of(Reply.bulk(Long.toString(page.nextCursor())), new Reply.Array(ids)));
            }
            case INV_CHANGES -> changes(c.number(), (int) c.count());
            case INV_ACK -> {
                book.feed().acknowledge(c.number());
                yield Reply.integer(book.feed().size());
            }
            case TICK -> Reply.OK;
            case WATCH -> new Reply.Array(List.of(Reply.integer(versions.current()),
                    Reply.integer(book.feed().lastSeq())));
            case EXEC -> exec(c);
        };
    }

    private Reply incrementBy(String key, long delta) {
        Reply r = counters.incrementBy(key, delta);
        if (!(r instanceof Reply.Error)) {
            versions.changed(key);
        }
        return r;
    }

    /** SET with Redis's NX, XX and GET: GET answers the old value whether or not the write happened. */
    private Reply set(Command c) {
        long flags = c.count();
        Reply old = (flags & Command.SET_GET) != 0 ? counters.get(c.key()) : Reply.OK;
        if ((flags & (Command.SET_NX | Command.SET_XX)) != 0) {
            boolean found = counters.exists(c.key());
            if ((flags & Command.SET_NX) != 0 ? found : !found) {
                return (flags & Command.SET_GET) != 0 ? old : Reply.NULL;
            }
        }
        counters.set(c.key(), c.number());
        versions.changed(c.key());
        return old;
    }

    /**
     * A whole transaction, in one go on the apply thread: nil if a watched key changed after its
     * WATCH (then nothing runs), else every queued command in order, each answering as it would
     * alone (an error of one does not stop the others, as in Redis). A watched key is the counter
     * of that name and the SKU of that id; a SKU changed after the WATCH has a change sequence
     * above the feed's last one then.
     */
    private Reply exec(Command c) {
        String[] keys = c.keys();
        long[] watched = c.quantities();
        for (int i = 0; i < keys.length; i++) {
            Sku sku = book.sku(keys[i]);
            if (versions.changedAfter(keys[i], watched[2 * i])
                    || (sku != null && sku.changeSeq() > watched[2 * i + 1])) {
                return Reply.NULL_ARRAY;
            }
        }
        Command[] queued = c.queued();
        Reply[] answers = new Reply[queued.length];
        for (int i = 0; i < queued.length; i++) {
            answers[i] = execute(queued[i]);
        }
        return new Reply.Array(List.of(answers));
    }

    static Reply stock(Sku s) {
        if (s == null) {
            return Reply.NULL;
        }
        return new Reply.MapReply(List.of(
                TOTAL, Reply.integer(s.total()), AVAILABLE, Reply.integer(s.available()),
                RESERVED, Reply.integer(s.reserved()), SOLD, Reply.integer(s.sold())));
    }

    /**
     * {@code [lastSeq, ackedSeq, [change, ...]]}; a change is a flat array, either
     * {@code [seq, "sku", id, total, available, reserved, sold]} or
     * {@code [seq, "reservation", requestId, state, user|nil, createdAt, expiresAt|0, updatedAt, sku, qty, ...]}.
     */
    private Reply changes(long afterSeq, int count) {
        List<FeedRow> rows = book.feed().after(afterSeq, count);
        List<Reply> out = new ArrayList<>(rows.size());
        for (FeedRow row : rows) {
            List<Reply> f = new ArrayList<>(12);
            f.add(Reply.integer(row.changeSeq()));
            if (row instanceof Sku s) {
                f.add(Reply.bulk("sku"));
                f.add(Reply.bulk(s.id()));
                f.add(Reply.integer(s.total()));
                f.add(Reply.integer(s.available()));
                f.add(Reply.integer(s.reserved()));
                f.add(Reply.integer(s.sold()));
            } else {
                Reservation r = (Reservation) row;
                f.add(Reply.bulk("reservation"));
                f.add(Reply.bulk(r.requestId()));
                f.add(Reply.bulk(r.state().name().toLowerCase(Locale.ROOT)));
                f.add(r.user() == null ? Reply.NULL : Reply.bulk(r.user()));
                f.add(Reply.integer(r.createdAt()));
                f.add(Reply.integer(r.expiresAt()));
                f.add(Reply.integer(r.updatedAt()));
                String[] skus = r.skus();
                long[] qtys = r.quantities();
                for (int i = 0; i < skus.length; i++) {
                    f.add(Reply.bulk(skus[i]));
                    f.add(Reply.integer(qtys[i]));
                }
            }
            out.add(new Reply.Array(f));
        }
        return new Reply.Array(List.of(Reply.integer(book.feed().lastSeq()),
                Reply.integer(book.feed().ackedSeq()), new Reply.Array(out)));
    }

    public InventoryBook book() {
        return book;
    }

    public Counters counters() {
        return counters;
    }

    public void writeTo(DataOutput out) throws IOException {
        freeze().writeTo(out);
    }

    /**
     * The state as it is now, cheap to take on the apply thread (SKU figures, chunk directories and
     * the key versions' table are copied, not reservations, holders or counters; see
     * {@link BookSnapshot#freeze}), to be
     * written to a snapshot by another thread while commands go on being applied.
     */
    public Frozen freeze() {
        return new Frozen(BookSnapshot.freeze(book), counters.freeze(), versions.freeze());
    }

    /** A shard's state frozen by {@link #freeze}. */
    public record Frozen(BookSnapshot.Frozen book, Counters.Frozen counters, KeyVersions versions) {
        public void writeTo(DataOutput out) throws IOException {
            book.writeTo(out);
            counters.writeTo(out);
            versions.writeTo(out);
        }
    }

    /** Replaces this state with one read from a snapshot of any format this version knows. */
    public void readFrom(DataInput in, BookSettings settings) throws IOException {
        int format = BookSnapshot.readFormat(in); // the snapshot's header: how everything after it is written
        InventoryBook b = BookSnapshot.read(in, settings, format);
        Counters c = Counters.readFrom(in, format);
        KeyVersions v = format >= 3 ? KeyVersions.readFrom(in) : new KeyVersions();
        this.book = b;
        this.counters = c;
        this.versions = v;
    }
}
