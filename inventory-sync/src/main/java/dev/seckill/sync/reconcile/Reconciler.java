package dev.seckill.sync.reconcile;

import dev.seckill.sync.feed.FeedBatch;
import dev.seckill.sync.feed.FeedRow;
import dev.seckill.sync.feed.ReservationRow;
import dev.seckill.sync.feed.SkuRow;
import dev.seckill.sync.feed.StockFigures;
import dev.seckill.sync.feed.StoreClient;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares every SKU (total, available, reserved, sold) and every RDS reservation with the store,
 * judges each difference against the sync checkpoint (a row waiting in the change feed after the
 * checkpoint is sync lag; anything else is drift), repairs drift if asked, and records the run in
 * {@code reconciliation_run}.
 *
 * <p>Reservations are checked from the RDS side: the store answers {@code INV.RESERVATION} for
 * every pending reservation and for finished ones it still remembers (24 h, 10 million ids); a
 * finished reservation the store has forgotten is not a difference. A drift candidate is read
 * again from both sides before it is reported, so a row the sync wrote in between is not blamed.
 */
public final class Reconciler {
    private static final int CHUNK = 1000;

    private final StoreClient store;
    private final DataSource ds;
    private final String shard;

    public Reconciler(StoreClient store, DataSource ds, String shard) {
        this.store = store;
        this.ds = ds;
        this.shard = shard;
    }

    public ReconciliationReport run(ReconcileOptions options) throws SQLException {
        long started = System.currentTimeMillis();
        long runId = insertRun(started, options.repair());
        try {
            return runAndRecord(runId, started, options);
        } catch (SQLException | RuntimeException e) {
            finishRun(runId, "failed", 0, 0, 0, 0, String.valueOf(e.getMessage()));
            throw e;
        }
    }

    private ReconciliationReport runAndRecord(long runId, long started, ReconcileOptions options) throws SQLException {
        long checkpoint = checkpoint();
        List<String> skuIds = skuIds(options.skus());
        List<Difference> candidates = new ArrayList<>();
        for (int from = 0; from < skuIds.size(); from += CHUNK) {
            candidates.addAll(compareSkus(skuIds.subList(from, Math.min(skuIds.size(), from + CHUNK))));
            progress(options, "SKUs checked: " + Math.min(skuIds.size(), from + CHUNK) + "/" + skuIds.size());
        }
        long reservationsChecked = 0;
        String after = "";
        while (true) {
            List<String> ids = rdsReservationIds(after, options.skus());
            if (ids.isEmpty()) {
                break;
            }
            candidates.addAll(compareReservations(ids));
            reservationsChecked += ids.size();
            after = ids.get(ids.size() - 1);
            progress(options, "reservations checked: " + reservationsChecked);
        }
        // judge: waiting in the feed after the checkpoint -> lag; else read again, still different -> drift
        checkpoint = checkpoint();
        FeedPending pending = feedAfter(checkpoint);
        List<Difference> found = new ArrayList<>();
        for (Difference d : candidates) {
            String feedKey = ("reservation".equals(d.kind()) ? "reservation:" : "sku:") + d.id();
            if (pending.ids.contains(feedKey)) {
                found.add(new Difference(d.kind(), d.id(), d.store(), d.rds(), Difference.Cause.SYNC_LAG, false, null));
            } else {
                Difference again = recheck(d);
                if (again != null) {
                    found.add(new Difference(again.kind(), again.id(), again.store(), again.rds(), Difference.Cause.DRIFT, false, null));
                }
            }
        }
        // holdings last: repairing reservation rows may settle them
        found.sort(java.util.Comparator.comparing(d -> "holdings".equals(d.kind())));
        List<Difference> out = new ArrayList<>(found.size());
        for (Difference d : found) {
            out.add(d.cause() == Difference.Cause.DRIFT && options.repair() != RepairMode.NONE ? repair(d, options.repair()) : d);
        }
        long drift = out.stream().filter(d -> d.cause() == Difference.Cause.DRIFT).count();
        long repairs = out.stream().filter(Difference::repaired).count();
        boolean left = out.stream().anyMatch(d -> d.cause() == Difference.Cause.DRIFT && !d.repaired());
        String result = drift == 0 ? "consistent" : left ? "drift" : "repaired";
        long finished = System.currentTimeMillis();
        finishRun(runId, result, skuIds.size(), reservationsChecked, drift, repairs, detail(out));
        return new ReconciliationReport(runId, shard, options.repair().column(), result, started, finished, checkpoint,
                pending.lastSeq, skuIds.size(), reservationsChecked, out);
    }

    private static void progress(ReconcileOptions o, String line) {
        if (o.progress() != null) {
            o.progress().accept(line);
        }
    }

    // ---- SKUs ----

    private List<String> skuIds(List<String> only) throws SQLException {
        if (!only.isEmpty()) {
            return new ArrayList<>(new TreeSet<>(only));
        }
        Set<String> ids = new TreeSet<>(store.skuIds());
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sku FROM sku_inventory")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return new ArrayList<>(ids);
    }

    /**
     * The SKU rows, and each SKU's reserved and sold units against the sums of the RDS's
     * reservation rows ({@code holdings}): that is how a reservation row missing from the RDS shows.
     */
    private List<Difference> compareSkus(List<String> ids) throws SQLException {
        Map<String, StockFigures> inStore = store.stocks(ids);
        Map<String, StockFigures> inRds = rdsStocks(ids);
        Map<String, long[]> held = rdsHoldings(ids);
        List<Difference> out = new ArrayList<>();
        for (String id : ids) {
            StockFigures s = inStore.get(id);
            StockFigures r = inRds.get(id);
            if (s == null && r == null) {
                continue;
            }
            if (s == null || !s.equals(r)) {
                out.add(new Difference("sku", id, text(s), text(r), null, false, null));
            }
            long[] h = held.getOrDefault(id, new long[2]);
            if (s != null && (s.reserved() != h[0] || s.sold() != h[1])) {
                out.add(new Difference("holdings", id, "resv=" + s.reserved() + " sold=" + s.sold(),
                        "reservation rows: resv=" + h[0] + " sold=" + h[1], null, false, null));
            }
        }
        return out;
    }

    /**
     * Per SKU, units of RDS reservations in state reserved and confirmed: one-line reservations
     * from their row (rds-schema V5: they have no line rows), the others from their lines.
     */
    private Map<String, long[]> rdsHoldings(List<String> ids) throws SQLException {
        Map<String, long[]> out = new LinkedHashMap<>();
        try (Connection c = ds.getConnection()) {
            for (String sql : new String[] {
                    "SELECT sku, SUM(CASE WHEN status = 'reserved' THEN quantity ELSE 0 END),"
                    + " SUM(CASE WHEN status = 'confirmed' THEN quantity ELSE 0 END)"
                    + " FROM reservation WHERE line_count = 1 AND sku IN (" + marks(ids.size()) + ") GROUP BY sku",
                    "SELECT l.sku, SUM(CASE WHEN r.status = 'reserved' THEN l.quantity ELSE 0 END),"
                    + " SUM(CASE WHEN r.status = 'confirmed' THEN l.quantity ELSE 0 END)"
                    + " FROM reservation_multi_line l JOIN reservation r ON r.request_id = l.request_id AND r.store_seq = l.store_seq"
                    + " WHERE r.line_count > 1 AND l.sku IN (" + marks(ids.size()) + ") GROUP BY l.sku"}) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    bind(ps, ids);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long[] h = out.computeIfAbsent(rs.getString(1), k -> new long[2]);
                            h[0] += rs.getLong(2);
                            h[1] += rs.getLong(3);
                        }
                    }
                }
            }
        }
        return out;
    }

    private Map<String, StockFigures> rdsStocks(Collection<String> ids) throws SQLException {
        Map<String, StockFigures> out = new LinkedHashMap<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT sku, total, available, reserved, sold FROM sku_inventory WHERE sku IN (" + marks(ids.size()) + ")")) {
            int i = 1;
            for (String id : ids) {
                ps.setString(i++, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new StockFigures(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                }
            }
        }
        return out;
    }

    private static String text(StockFigures f) {
        return f == null ? "missing" : "total=" + f.total() + " avail=" + f.available() + " resv=" + f.reserved() + " sold=" + f.sold();
    }

    // ---- reservations ----

    private List<String> rdsReservationIds(String after, List<String> skus) throws SQLException {
        String sql = skus.isEmpty()
                ? "SELECT request_id FROM reservation WHERE request_id > ? ORDER BY request_id LIMIT " + CHUNK
                : "SELECT DISTINCT request_id FROM reservation_line WHERE request_id > ? AND sku IN (" + marks(skus.size())
                  + ") ORDER BY request_id LIMIT " + CHUNK;
        List<String> ids = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, after);
            int i = 2;
            for (String s : skus) {
                ps.setString(i++, s);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    private List<Difference> compareReservations(List<String> ids) throws SQLException {
        Map<String, ReservationRow> inStore = store.reservations(ids);
        Map<String, ReservationRow> inRds = rdsReservations(ids);
        List<Difference> out = new ArrayList<>();
        for (String id : ids) {
            ReservationRow s = inStore.get(id);
            ReservationRow r = inRds.get(id);
            if (r == null && s == null) {
                continue;
            }
            if (s == null) {
                if (r != null && "reserved".equals(r.state())) {
                    out.add(new Difference("reservation", id, "missing", text(r), null, false, null));
                }
                continue; // a finished request id the store forgot (retention): not a difference
            }
            if (r == null || !same(s, r)) {
                out.add(new Difference("reservation", id, text(s), text(r), null, false, null));
            }
        }
        return out;
    }

    private static boolean same(ReservationRow a, ReservationRow b) {
        return a.state().equals(b.state()) && java.util.Objects.equals(a.user(), b.user()) && a.createdAt() == b.createdAt()
                && a.expiresAt() == b.expiresAt() && a.updatedAt() == b.updatedAt() && a.lines().equals(b.lines());
    }

    private Map<String, ReservationRow> rdsReservations(List<String> ids) throws SQLException {
        Map<String, List<ReservationRow.Line>> lines = new LinkedHashMap<>();
        Map<String, ReservationRow> out = new LinkedHashMap<>();
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT request_id, sku, quantity FROM reservation_line WHERE request_id IN ("
                    + marks(ids.size()) + ") ORDER BY request_id, line_no")) {
                bind(ps, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lines.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                                .add(new ReservationRow.Line(rs.getString(2), rs.getLong(3)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT request_id, status, user_id, created_at, expires_at, updated_at, store_seq, sku, quantity"
                    + " FROM reservation WHERE request_id IN (" + marks(ids.size()) + ")")) {
                bind(ps, ids);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        List<ReservationRow.Line> l = lines.getOrDefault(id, List.of(new ReservationRow.Line(rs.getString(8), rs.getLong(9))));
                        long expires = rs.getLong(5);
                        out.put(id, new ReservationRow(rs.getLong(7), id, rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.wasNull() ? 0 : expires, rs.getLong(6), l));
                    }
                }
            }
        }
        return out;
    }

    private static String text(ReservationRow r) {
        if (r == null) {
            return "missing";
        }
        StringBuilder sb = new StringBuilder(r.state());
        for (ReservationRow.Line l : r.lines()) {
            sb.append(' ').append(l.sku()).append('x').append(l.quantity());
        }
        return sb.append(" user=").append(r.user()).append(" upd=").append(r.updatedAt()).toString();
    }

    // ---- judging ----

    private record FeedPending(long lastSeq, Set<String> ids) {
    }

    /** Rows waiting in the store's feed after {@code checkpoint} (kind:id), paged through INV.CHANGES. */
    private FeedPending feedAfter(long checkpoint) {
        Set<String> ids = new HashSet<>();
        long after = checkpoint;
        long lastSeq;
        while (true) {
            FeedBatch b = store.changes(after, 10_000);
            lastSeq = b.lastSeq();
            for (FeedRow row : b.rows()) {
                ids.add(row instanceof SkuRow s ? "sku:" + s.sku() : "reservation:" + ((ReservationRow) row).requestId());
            }
            if (b.rows().isEmpty() || ids.size() > 20_000_000) {
                return new FeedPending(lastSeq, ids);
            }
            after = b.lastRowSeq(after);
        }
    }

    /** Reads the row again from both sides; null if they agree now. */
    private Difference recheck(Difference d) throws SQLException {
        List<Difference> again = "reservation".equals(d.kind()) ? compareReservations(List.of(d.id())) : compareSkus(List.of(d.id()));
        return again.stream().filter(a -> a.kind().equals(d.kind())).findFirst().orElse(null);
    }

    // ---- repair ----

    private Difference repair(Difference d, RepairMode mode) {
        try {
            if ("sku".equals(d.kind())) {
                return mode == RepairMode.RDS ? repairSkuInRds(d) : repairSkuInStore(d);
            }
            if ("holdings".equals(d.kind())) {
                return recheck(d) == null ? d.repaired("settled by the repairs above")
                        : d.unrepaired("reservation rows are missing from (or extra in) the RDS; the store cannot list them");
            }
            return mode == RepairMode.RDS ? repairReservationInRds(d)
                    : d.unrepaired("reservations are not rebuilt in the store; use --repair rds");
        } catch (SQLException | RuntimeException e) {
            return d.unrepaired("repair failed: " + e.getMessage());
        }
    }

    /** Writes the store's figures into the row, keeping its store_seq, so any newer feed row still wins. */
    private Difference repairSkuInRds(Difference d) throws SQLException {
        StockFigures s = store.stock(d.id());
        try (Connection c = ds.getConnection()) {
            if (s == null) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM sku_inventory WHERE sku = ?")) {
                    ps.setString(1, d.id());
                    ps.executeUpdate();
                }
                return d.repaired("deleted from the RDS (the store has no such SKU)");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE sku_inventory SET total = ?, available = ?, reserved = ?, sold = ?, updated_at = ? WHERE sku = ?")) {
                ps.setLong(1, s.total());
                ps.setLong(2, s.available());
                ps.setLong(3, s.reserved());
                ps.setLong(4, s.sold());
                ps.setLong(5, System.currentTimeMillis());
                ps.setString(6, d.id());
                if (ps.executeUpdate() > 0) {
                    return d.repaired("RDS row rewritten from the store");
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO sku_inventory (sku, total, available, reserved, sold, store_seq, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?)")) {
                ps.setString(1, d.id());
                ps.setLong(2, s.total());
                ps.setLong(3, s.available());
                ps.setLong(4, s.reserved());
                ps.setLong(5, s.sold());
                ps.setLong(6, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return d.repaired("RDS row inserted from the store");
        }
    }

    /** Restocks (or creates) the store's SKU so its available matches the RDS; reserved and sold come from reservations. */
    private Difference repairSkuInStore(Difference d) throws SQLException {
        StockFigures r = rdsStocks(List.of(d.id())).get(d.id());
        if (r == null) {
            return d.unrepaired("the RDS has no such SKU; nothing to rebuild the store from");
        }
        StockFigures s = store.stock(d.id());
        if (s == null) {
            store.create(d.id(), r.available());
            return r.reserved() == 0 && r.sold() == 0
                    ? d.repaired("created in the store")
                    : d.unrepaired("created in the store with available=" + r.available() + "; reserved/sold live in reservations");
        }
        if (s.reserved() != r.reserved() || s.sold() != r.sold()) {
            return d.unrepaired("reserved/sold differ: they follow the store's reservations; use --repair rds");
        }
        long delta = r.available() - s.available();
        if (delta != 0) {
            store.restock(d.id(), delta);
        }
        return d.repaired("store restocked by " + delta);
    }

    private Difference repairReservationInRds(Difference d) throws SQLException {
        ReservationRow s = store.reservations(List.of(d.id())).get(d.id());
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM reservation_multi_line WHERE request_id = ?")) {
                    ps.setString(1, d.id());
                    ps.executeUpdate();
                }
                if (s == null) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM reservation WHERE request_id = ?")) {
                        ps.setString(1, d.id());
                        ps.executeUpdate();
                    }
                    c.commit();
                    return d.repaired("deleted from the RDS (the store holds no such reservation)");
                }
                long seq = 0;
                String sale = null; // not in the store: kept from the row being rewritten
                try (PreparedStatement ps = c.prepareStatement("SELECT store_seq, sale_id FROM reservation WHERE request_id = ?")) {
                    ps.setString(1, d.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            seq = rs.getLong(1);
                            sale = rs.getString(2);
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM reservation WHERE request_id = ?")) {
                    ps.setString(1, d.id());
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO reservation (request_id, user_id, sku, quantity, line_count, status,"
                        + " created_at, expires_at, updated_at, store_seq, sale_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, s.requestId());
                    ps.setString(2, s.user());
                    ps.setString(3, s.lines().get(0).sku());
                    ps.setLong(4, s.quantity());
                    ps.setInt(5, s.lines().size());
                    ps.setString(6, s.state());
                    ps.setLong(7, s.createdAt());
                    if (s.expiresAt() == 0) {
                        ps.setNull(8, Types.BIGINT);
                    } else {
                        ps.setLong(8, s.expiresAt());
                    }
                    ps.setLong(9, s.updatedAt());
                    ps.setLong(10, seq);
                    ps.setString(11, sale);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO reservation_multi_line (request_id, line_no, sku, quantity, store_seq) VALUES (?, ?, ?, ?, ?)")) {
                    int n = 1;
                    // a one-line reservation is its row alone (rds-schema V5)
                    for (ReservationRow.Line l : s.lines().size() > 1 ? s.lines() : List.<ReservationRow.Line>of()) {
                        ps.setString(1, s.requestId());
                        ps.setInt(2, n++);
                        ps.setString(3, l.sku());
                        ps.setLong(4, l.quantity());
                        ps.setLong(5, seq);
                        ps.executeUpdate();
                    }
                }
                c.commit();
                return d.repaired("RDS row rewritten from the store");
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    // ---- the run row ----

    private long checkpoint() throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT applied_seq FROM sync_checkpoint WHERE shard = ?")) {
            ps.setString(1, shard);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private long insertRun(long started, RepairMode mode) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO reconciliation_run (started_at, shard, repair_mode, result) VALUES (?, ?, ?, 'running')",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setLong(1, started);
            ps.setString(2, shard);
            ps.setString(3, mode.column());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private void finishRun(long runId, String result, long skus, long reservations, long drift, long repairs, String detail)
            throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE reconciliation_run SET finished_at = ?, result = ?, skus_checked = ?, reservations_checked = ?,"
                + " drift_found = ?, repairs = ?, detail = ? WHERE run_id = ?")) {
            ps.setLong(1, System.currentTimeMillis());
            ps.setString(2, result);
            ps.setLong(3, skus);
            ps.setLong(4, reservations);
            ps.setLong(5, drift);
            ps.setLong(6, repairs);
            ps.setString(7, detail.length() > 2000 ? detail.substring(0, 1997) + "..." : detail);
            ps.setLong(8, runId);
            ps.executeUpdate();
        }
    }

    private static String detail(List<Difference> diffs) {
        StringBuilder sb = new StringBuilder();
        for (Difference d : diffs) {
            sb.append(d.cause() == Difference.Cause.DRIFT ? "drift " : "lag ").append(d.kind()).append(' ').append(d.id())
                    .append(d.repaired() ? " (repaired)" : "").append("; ");
        }
        return sb.toString();
    }

    private static void bind(PreparedStatement ps, List<String> ids) throws SQLException {
        int i = 1;
        for (String id : ids) {
            ps.setString(i++, id);
        }
    }

    private static String marks(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "?" : ", ?");
        }
        return sb.toString();
    }
}
