package dev.seckill.store.inventory;

import dev.seckill.store.feed.FeedRow;
import dev.seckill.store.inventory.InventoryOp.Ack;
import dev.seckill.store.inventory.InventoryOp.AckUpTo;
import dev.seckill.store.inventory.InventoryOp.AdvanceTo;
import dev.seckill.store.inventory.InventoryOp.Command;
import dev.seckill.store.inventory.InventoryOp.Request;
import dev.seckill.store.inventory.InventoryOp.Retry;
import dev.seckill.store.inventory.InventoryOp.Tick;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened so far in one random session, so that the state-dependent ops ({@link Tick},
 * {@link Retry}, {@link Ack}) become concrete commands. Resolving against one book and applying
 * the result to several (a model, a restored copy) keeps them on exactly the same script.
 */
final class BookSession {
    private final InventoryBook book;
    /** Request-id commands sent so far, oldest first: what a {@link Retry} sends again. */
    private final List<Request> sent = new ArrayList<>();
    /** The feed's last sequence before the first step and after each step. */
    private final List<Long> boundaries = new ArrayList<>(List.of(0L));

    BookSession(InventoryBook book) {
        this.book = book;
    }

    /** Goes on with {@code earlier}'s history on {@code book} (a copy of its book, restored from a snapshot). */
    BookSession(InventoryBook book, BookSession earlier) {
        this.book = book;
        sent.addAll(earlier.sent);
        boundaries.addAll(earlier.boundaries.subList(1, earlier.boundaries.size()));
    }

    /** The concrete step for {@code op}: a {@link Command} or an {@link AckUpTo}; null if there is nothing to retry yet. */
    InventoryOp resolve(InventoryOp op) {
        if (op instanceof Tick t) {
            return new AdvanceTo(book.now() + t.deltaMs());
        }
        if (op instanceof Retry r) {
            return sent.isEmpty() ? null : sent.get(sent.size() - 1 - r.back() % sent.size());
        }
        if (op instanceof Ack a) {
            if (!a.midStep()) {
                return new AckUpTo(boundaries.get(Math.max(0, boundaries.size() - 1 - a.back())));
            }
            List<FeedRow> rows = book.feed().rows();
            return new AckUpTo(rows.isEmpty() ? book.feed().lastSeq() : rows.get(a.back() % rows.size()).changeSeq());
        }
        return op;
    }

    /** Records that {@code step} (as resolved) was applied. */
    void done(InventoryOp step) {
        if (step instanceof Request r) {
            sent.add(r);
        }
        boundaries.add(book.feed().lastSeq());
    }
}
