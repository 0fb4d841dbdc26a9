package dev.seckill.store.feed;

import java.util.ArrayList;
import java.util.List;

/**
 * The changes the inventory sync has not acknowledged yet, compacted per row.
 *
 * <p>Each change gets the next sequence number. A row that changes again before it was
 * acknowledged moves to the tail with the newer number, so the feed holds at most one entry
 * per row: the sync only ever needs a row's latest state (it writes rows, not deltas), and the
 * backlog is bounded by the number of distinct rows touched since the last acknowledgement,
 * not by the number of operations. A consumer that remembers the last sequence it applied
 * (its checkpoint) and asks for what follows it sees every row's final state exactly once
 * per change after that checkpoint.
 *
 * <p>Not thread-safe: owned by the single writer.
 */
public final class ChangeFeed {
    private FeedRow head;
    private FeedRow tail;
    private long lastSeq;
    private long ackedSeq;
    private int size;

    /** Marks {@code row} changed: it gets the next sequence number and goes to the tail. */
    public void changed(FeedRow row) {
        if (row.queued) {
            unlink(row);
        }
        row.seq = ++lastSeq;
        row.queued = true;
        row.prev = tail;
        row.next = null;
        if (tail == null) {
            head = row;
        } else {
            tail.next = row;
        }
        tail = row;
        size++;
    }

    /** Up to {@code count} rows whose latest change is after {@code afterSeq}, oldest first. */
    public List<FeedRow> after(long afterSeq, int count) {
        List<FeedRow> rows = new ArrayList<>(Math.min(count, size));
        for (FeedRow r = head; r != null && rows.size() < count; r = r.next) {
            if (r.seq > afterSeq) {
                rows.add(r);
            }
        }
        return rows;
    }

    /** Forgets every change up to and including {@code seq}; returns how many rows left the feed. */
    public int acknowledge(long seq) {
        int removed = 0;
        while (head != null && head.seq <= seq) {
            FeedRow r = head;
            unlink(r);
            removed++;
        }
        if (seq > ackedSeq) {
            ackedSeq = Math.min(seq, lastSeq);
        }
        return removed;
    }

    /** Puts back a row read from a snapshot, keeping its sequence number (rows come in feed order). */
    public void restore(FeedRow row, long seq) {
        changed(row);
        row.seq = seq;
    }

    /** Gives a row read from a snapshot its latest sequence number, without putting it in the feed. */
    public void restoreSequence(FeedRow row, long seq) {
        row.seq = seq;
    }

    /** Restores the counters read from a snapshot. */
    public void restoreSequences(long lastSeq, long ackedSeq) {
        this.lastSeq = lastSeq;
        this.ackedSeq = ackedSeq;
    }

    /** The oldest row waiting, or null: with {@link #next} walks the feed without copying it. */
    public FeedRow first() {
        return head;
    }

    /** The row after {@code row} in the feed, or null. */
    public static FeedRow next(FeedRow row) {
        return row.next;
    }

    /** Rows in feed order (for snapshots). */
    public List<FeedRow> rows() {
        return after(Long.MIN_VALUE, Integer.MAX_VALUE);
    }

    public long lastSeq() {
        return lastSeq;
    }

    public long ackedSeq() {
        return ackedSeq;
    }

    public int size() {
        return size;
    }

    private void unlink(FeedRow row) {
        if (row.prev == null) {
            head = row.next;
        } else {
            row.prev.next = row.next;
        }
        if (row.next == null) {
            tail = row.prev;
        } else {
            row.next.prev = row.prev;
        }
        row.prev = null;
        row.next = null;
        row.queued = false;
        size--;
    }
}
