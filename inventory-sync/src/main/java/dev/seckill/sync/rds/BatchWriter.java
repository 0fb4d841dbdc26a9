package dev.seckill.sync.rds;

import dev.seckill.sync.feed.FeedRow;
import dev.seckill.sync.feed.ReservationRow;
import dev.seckill.sync.feed.SkuRow;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one change-feed batch to the RDS in ONE transaction: lock the shard's checkpoint, drop
 * the rows it already covers, upsert the SKU rows and the reservation rows (multi-row statements,
 * each guarded by {@code store_seq}), the lines of reservations of several lines, and move the
 * checkpoint; commit. A reservation of one line (nearly every purchase) is its reservation row
 * alone (rds-schema V5): one row and one statement's share per purchase, no read before it.
 *
 * <p>Exactly once follows from the checkpoint being in the same transaction as the rows: a batch
 * that was committed but not acknowledged to the store comes again and is skipped row by row; a
 * batch that failed rolls back entirely. Two writers on one shard serialize on the checkpoint row
 * lock. The statements are rds-schema's {@code db/sync/*.sql}, widened to many rows; only the
 * line statements are this class's own, because the per-line form of rds-schema costs one
 * statement per reservation.
 *
 * <p>Thread-safe: it holds no state but the prepared SQL text.
 */
public final class BatchWriter {
    /**
     * Placeholders per multi-row statement, under the 65535 of a MySQL/MariaDB prepared statement:
     * 5454 reservation headers (11 each) or 12000 lines (5 each) go in one statement, so a
     * 5000-row batch is a handful of round trips, each of which costs a scheduling delay on a
     * busy machine.
     */
    static final int PLACEHOLDERS = 60_000;
    static final int SKU_CHUNK = PLACEHOLDERS / 7;
    static final int RESERVATION_CHUNK = PLACEHOLDERS / 11;
    static final int LINE_CHUNK = PLACEHOLDERS / 5;

    private static final String SELECT_CHECKPOINT = SqlFile.load("select_sync_checkpoint");
    private static final String UPSERT_CHECKPOINT = SqlFile.load("upsert_sync_checkpoint");
    private static final String UPSERT_SKU = SqlFile.load("upsert_sku_inventory");
    private static final String UPSERT_RESERVATION = SqlFile.load("upsert_reservation");

    /**
     * Lines of reservations of several lines whose header holds exactly the row's store_seq
     * (checked just before in the same transaction), so the guard is the one of
     * upsert_reservation_line.sql without its INSERT ... SELECT, and many lines go in one statement.
     */
    private static final String UPSERT_LINE = """
            INSERT INTO reservation_multi_line (request_id, line_no, sku, quantity, store_seq)
            VALUES (?, ?, ?, ?, ?)
            ON DUPLICATE KEY UPDATE
                sku       = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(sku)       ELSE sku       END,
                quantity  = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(quantity)  ELSE quantity  END,
                store_seq = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(store_seq) ELSE store_seq END""";

    private final DataSource dataSource;
    private final String shard;

    public BatchWriter(DataSource dataSource, String shard) {
        this.dataSource = dataSource;
        this.shard = shard;
    }

    /** Creates the shard's checkpoint row (applied 0) if it has none, so writers always have a row to lock. */
    public void ensureCheckpoint() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement(UPSERT_CHECKPOINT)) {
                ps.setString(1, shard);
                ps.setLong(2, 0);
                ps.setLong(3, System.currentTimeMillis());
                ps.executeUpdate();
            }
        }
    }

    /** The shard's applied sequence, 0 if it has none. */
    public long appliedSeq() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT applied_seq FROM sync_checkpoint WHERE shard = ?")) {
            ps.setString(1, shard);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * Applies {@code rows} (one INV.CHANGES answer, oldest first) and moves the checkpoint to
     * {@code lastSeq}, all in one transaction. Safe to call again with the same or an older batch.
     */
    public WriteResult write(List<FeedRow> rows, long lastSeq) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                WriteResult r = write(c, rows, lastSeq);
                c.commit();
                return r;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // the connection is broken; the pool drops it
                }
            }
        }
    }

    private WriteResult write(Connection c, List<FeedRow> rows, long lastSeq) throws SQLException {
        int statements = 0;
        long applied;
        try (PreparedStatement ps = c.prepareStatement(SELECT_CHECKPOINT)) {
            ps.setString(1, shard);
            try (ResultSet rs = ps.executeQuery()) {
                applied = rs.next() ? rs.getLong(1) : 0;
            }
            statements++;
        }
        // the feed holds one entry per row, but compact anyway: the latest state per row wins
        Map<String, SkuRow> skus = new LinkedHashMap<>();
        Map<String, ReservationRow> reservations = new LinkedHashMap<>();
        int skipped = 0;
        for (FeedRow row : rows) {
            if (row.seq() <= applied) {
                skipped++;
            } else if (row instanceof SkuRow s) {
                skus.merge(s.sku(), s, (a, b) -> b.seq() > a.seq() ? b : a);
            } else if (row instanceof ReservationRow r) {
                reservations.merge(r.requestId(), r, (a, b) -> b.seq() > a.seq() ? b : a);
            }
        }
        long now = System.currentTimeMillis();
        List<SkuRow> skuList = new ArrayList<>(skus.values());
        for (int from = 0; from < skuList.size(); from += SKU_CHUNK) {
            statements += upsertSkus(c, skuList.subList(from, Math.min(skuList.size(), from + SKU_CHUNK)), now);
        }
        List<ReservationRow> resList = new ArrayList<>(reservations.values());
        Map<String, String> saleBySku = new HashMap<>();
        statements += salesOf(c, resList, saleBySku);
        for (int from = 0; from < resList.size(); from += RESERVATION_CHUNK) {
            statements += upsertReservations(c, resList.subList(from, Math.min(resList.size(), from + RESERVATION_CHUNK)), saleBySku);
        }
        long newApplied = Math.max(applied, lastSeq);
        if (newApplied > applied) {
            try (PreparedStatement ps = c.prepareStatement(UPSERT_CHECKPOINT)) {
                ps.setString(1, shard);
                ps.setLong(2, newApplied);
                ps.setLong(3, now);
                ps.executeUpdate();
                statements++;
            }
        }
        return new WriteResult(applied, newApplied, skuList.size(), resList.size(), skipped, statements);
    }

    private static int upsertSkus(Connection c, List<SkuRow> rows, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SqlFile.multiRow(UPSERT_SKU, rows.size()))) {
            int i = 1;
            for (SkuRow s : rows) {
                ps.setString(i++, s.sku());
                ps.setLong(i++, s.total());
                ps.setLong(i++, s.available());
                ps.setLong(i++, s.reserved());
                ps.setLong(i++, s.sold());
                ps.setLong(i++, s.seq());
                ps.setLong(i++, now);
            }
            ps.executeUpdate();
        }
        return 1;
    }

    /**
     * Upserts the headers; for the reservations of several lines, writes the lines of those whose
     * header the upsert took (read before: none held one, or an older one), and deletes the line
     * rows an older version of a request id left when its line count changed (reused after the
     * store forgot it). A one-line reservation is its header alone, with no read before it: one
     * statement for all of them. Line rows a reused id left when it came back with one line stay as
     * dead rows: their store_seq is no longer the header's, so rds-schema's reservation_line view
     * does not show them. Nothing else writes these rows meanwhile: writers of the shard hold the
     * checkpoint lock.
     */
    private static int upsertReservations(Connection c, List<ReservationRow> rows, Map<String, String> saleBySku) throws SQLException {
        int statements = 0;
        List<ReservationRow> multi = rows.stream().filter(r -> r.lines().size() > 1).toList();
        Map<String, long[]> before = new HashMap<>();
        if (!multi.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT request_id, store_seq, line_count FROM reservation WHERE request_id IN ("
                    + SqlFile.placeholders(multi.size()) + ")")) {
                int i = 1;
                for (ReservationRow r : multi) {
                    ps.setString(i++, r.requestId());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        before.put(rs.getString(1), new long[] {rs.getLong(2), rs.getInt(3)});
                    }
                }
                statements++;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(SqlFile.multiRow(UPSERT_RESERVATION, rows.size()))) {
            int i = 1;
            for (ReservationRow r : rows) {
                ps.setString(i++, r.requestId());
                String sku = singleSku(r);
                String sale = sku == null ? null : saleBySku.get(sku);
                if (sale == null) {
                    ps.setNull(i++, Types.VARCHAR);
                } else {
                    ps.setString(i++, sale);
                }
                if (r.user() == null) {
                    ps.setNull(i++, Types.VARCHAR);
                } else {
                    ps.setString(i++, r.user());
                }
                ps.setString(i++, r.lines().get(0).sku());
                ps.setLong(i++, r.quantity());
                ps.setInt(i++, r.lines().size());
                ps.setString(i++, r.state());
                ps.setLong(i++, r.createdAt());
                if (r.expiresAt() == 0) {
                    ps.setNull(i++, Types.BIGINT);
                } else {
                    ps.setLong(i++, r.expiresAt());
                }
                ps.setLong(i++, r.updatedAt());
                ps.setLong(i++, r.seq());
            }
            ps.executeUpdate();
            statements++;
        }
        List<ReservationRow> owned = new ArrayList<>(multi.size());
        List<ReservationRow> recounted = new ArrayList<>();
        int lineCount = 0;
        for (ReservationRow r : multi) {
            long[] old = before.get(r.requestId());
            if (old == null || old[0] < r.seq()) { // the upsert's own guard: it took this row
                if (lineCount + r.lines().size() > LINE_CHUNK && !owned.isEmpty()) {
                    statements += upsertLines(c, owned, lineCount);
                    owned.clear();
                    lineCount = 0;
                }
                owned.add(r);
                lineCount += r.lines().size();
                if (old != null && old[1] != r.lines().size()) {
                    recounted.add(r);
                }
            }
        }
        if (!owned.isEmpty()) {
            statements += upsertLines(c, owned, lineCount);
        }
        if (!recounted.isEmpty()) {
            // rds-schema's delete_stale_reservation_lines.sql, for each of them at once
            StringBuilder del = new StringBuilder("DELETE FROM reservation_multi_line WHERE ");
            for (int k = 0; k < recounted.size(); k++) {
                del.append(k == 0 ? "" : " OR ").append("(request_id = ? AND store_seq < ?)");
            }
            try (PreparedStatement ps = c.prepareStatement(del.toString())) {
                int i = 1;
                for (ReservationRow r : recounted) {
                    ps.setString(i++, r.requestId());
                    ps.setLong(i++, r.seq());
                }
                ps.executeUpdate();
                statements++;
            }
        }
        return statements;
    }

    /**
     * Fills {@code saleBySku} with the sale of each SKU the single-SKU reservations name: one
     * lookup per SKU and batch, not per row ({@code sale.sku} is unique). A reservation of several
     * SKUs belongs to no one sale and gets none.
     */
    private static int salesOf(Connection c, List<ReservationRow> rows, Map<String, String> saleBySku) throws SQLException {
        List<String> skus = rows.stream().map(BatchWriter::singleSku).filter(s -> s != null).distinct().toList();
        int statements = 0;
        for (int from = 0; from < skus.size(); from += PLACEHOLDERS) {
            List<String> part = skus.subList(from, Math.min(skus.size(), from + PLACEHOLDERS));
            try (PreparedStatement ps = c.prepareStatement("SELECT sku, sale_id FROM sale WHERE sku IN ("
                    + SqlFile.placeholders(part.size()) + ")")) {
                int i = 1;
                for (String sku : part) {
                    ps.setString(i++, sku);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        saleBySku.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            statements++;
        }
        return statements;
    }

    /** The one SKU all lines of {@code r} name, or null when they name several. */
    private static String singleSku(ReservationRow r) {
        String sku = r.lines().get(0).sku();
        for (ReservationRow.Line l : r.lines()) {
            if (!l.sku().equals(sku)) {
                return null;
            }
        }
        return sku;
    }

    private static int upsertLines(Connection c, List<ReservationRow> owned, int lineCount) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SqlFile.multiRow(UPSERT_LINE, lineCount))) {
            int i = 1;
            for (ReservationRow r : owned) {
                int lineNo = 1;
                for (ReservationRow.Line l : r.lines()) {
                    ps.setString(i++, r.requestId());
                    ps.setInt(i++, lineNo++);
                    ps.setString(i++, l.sku());
                    ps.setLong(i++, l.quantity());
                    ps.setLong(i++, r.seq());
                }
            }
            ps.executeUpdate();
        }
        return 1;
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * What one write did.
     *
     * @param previousSeq  the checkpoint it found
     * @param appliedSeq   the checkpoint it left
     * @param skuRows      SKU rows written (after compaction)
     * @param reservationRows reservation rows written
     * @param skippedRows  rows the checkpoint already covered (a replay)
     * @param statements   SQL statements it ran, the commit not counted
     */
    public record WriteResult(long previousSeq, long appliedSeq, int skuRows, int reservationRows, int skippedRows, int statements) {
        public int rowsWritten() {
            return skuRows + reservationRows;
        }
    }
}
