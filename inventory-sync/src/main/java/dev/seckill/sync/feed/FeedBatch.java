package dev.seckill.sync.feed;

import java.util.List;

/**
 * One answer of {@code INV.CHANGES}: the store's last sequence number, the last one acknowledged,
 * and up to the asked number of rows after the asked sequence, oldest first.
 */
public record FeedBatch(long lastSeq, long ackedSeq, List<FeedRow> rows) {

    public FeedBatch {
        rows = List.copyOf(rows);
    }

    /** The sequence of the newest row, or {@code afterSeq} when there are none. */
    public long lastRowSeq(long afterSeq) {
        return rows.isEmpty() ? afterSeq : rows.get(rows.size() - 1).seq();
    }
}
