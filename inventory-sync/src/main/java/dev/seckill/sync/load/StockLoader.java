package dev.seckill.sync.load;

import dev.seckill.sync.feed.ReservationRow;
import dev.seckill.sync.feed.StockFigures;
import dev.seckill.sync.feed.StoreClient;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the RDS's stock into the store.
 *
 * <p>{@link #warmUp}: before a sale, each {@code sku_inventory} row's SKU is created in the store
 * or restocked so the store's {@code total} equals the row's. Totals only move by restocks (sales
 * move units between available, reserved and sold), so running it twice changes nothing, even
 * with sales in between.
 *
 * <p>{@link #rebuild}: after losing the store, an empty store gets every SKU back (total), and
 * every pending reservation that has not expired and every confirmed one, under its own request
 * id and user (so per-user limits hold again), pending ones with the time they had left; sold units
 * no reservation row accounts for become one straight sale per SKU under request id
 * {@code restored-sold:<sku>}. Restored rows get the restore time as {@code created_at}. The
 * new store's change feed starts again at 1, so the RDS's {@code store_seq} values and the shard's
 * checkpoint are reset to 0 first (one transaction), or the sync would ignore the new store.
 */
public final class StockLoader {
    private final StoreClient store;
    private final DataSource ds;
    private final String shard;

    public StockLoader(StoreClient store, DataSource ds, String shard) {
        this.store = store;
        this.ds = ds;
        this.shard = shard;
    }

    /** What a load did, per SKU: {@code created}, {@code restocked +n}, {@code unchanged}, or why it was skipped. */
    public record LoadReport(Map<String, String> skus, int reservationsRestored) {
        public long changed() {
            return skus.values().stream().filter(v -> v.startsWith("created") || v.startsWith("restocked")).count();
        }

        public long skipped() {
            return skus.values().stream().filter(v -> v.startsWith("skipped")).count();
        }
    }

    /** Creates or restocks the store's SKUs (all, or only {@code only}) to the RDS totals. */
    public LoadReport warmUp(List<String> only) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, StockFigures> e : rdsStocks(only).entrySet()) {
            String sku = e.getKey();
            StockFigures r = e.getValue();
            StockFigures s = store.stock(sku);
            if (s == null) {
                if (r.reserved() != 0 || r.sold() != 0) {
                    out.put(sku, "skipped: the RDS shows sales of it but the store has no such SKU (use load --all on an empty store)");
                } else {
                    store.create(sku, r.total());
                    out.put(sku, "created " + r.total());
                }
            } else if (s.total() == r.total()) {
                out.put(sku, "unchanged");
            } else {
                long delta = r.total() - s.total();
                try {
                    store.restock(sku, delta);
                    out.put(sku, "restocked " + (delta > 0 ? "+" : "") + delta);
                } catch (RuntimeException ex) {
                    out.put(sku, "skipped: restock by " + delta + " refused: " + ex.getMessage());
                }
            }
        }
        for (String sku : only) {
            out.putIfAbsent(sku, "skipped: no such SKU in the RDS");
        }
        return new LoadReport(out, 0);
    }

    /** Rebuilds an empty store from the RDS; refuses a store that has any SKU. */
    public LoadReport rebuild() throws SQLException {
        if (!store.skuIds().isEmpty()) {
            throw new IllegalStateException("load --all rebuilds an EMPTY store, and this one has SKUs: use load (warm-up) instead");
        }
        resetSequences();
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, StockFigures> stocks = rdsStocks(List.of());
        for (Map.Entry<String, StockFigures> e : stocks.entrySet()) {
            store.create(e.getKey(), e.getValue().total());
            out.put(e.getKey(), "created " + e.getValue().total());
        }
        int restored = 0;
        long now = System.currentTimeMillis();
        Map<String, Long> soldByRows = new LinkedHashMap<>();
        for (Held h : heldReservations()) {
            boolean confirmed = "confirmed".equals(h.status);
            if (!confirmed && h.expiresAt != 0 && h.expiresAt <= now) {
                continue; // would have expired by now: its units stay available
            }
            try {
                store.reserveAll(h.requestId, h.user, confirmed || h.expiresAt == 0 ? 0 : h.expiresAt - now, h.lines);
                if (confirmed) {
                    store.confirm(h.requestId);
                    h.lines.forEach(l -> soldByRows.merge(l.sku(), l.quantity(), Long::sum));
                }
                restored++;
            } catch (RuntimeException refused) {
                out.put("reservation " + h.requestId, "skipped: " + refused.getMessage());
            }
        }
        // sold units no reservation row accounts for (history older than the rows): one straight sale each
        for (Map.Entry<String, StockFigures> e : stocks.entrySet()) {
            long rest = e.getValue().sold() - soldByRows.getOrDefault(e.getKey(), 0L);
            if (rest > 0) {
                store.deduct(e.getKey(), rest, "restored-sold:" + e.getKey(), null);
            }
        }
        return new LoadReport(out, restored);
    }

    /** A pending or confirmed reservation of the RDS with its lines. */
    private record Held(String requestId, String user, String status, long expiresAt, List<ReservationRow.Line> lines) {
    }

    private List<Held> heldReservations() throws SQLException {
        List<Held> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT r.request_id, r.user_id, r.status, r.expires_at, l.sku, l.quantity FROM reservation r"
                + " JOIN reservation_line l ON l.request_id = r.request_id WHERE r.status IN ('reserved', 'confirmed')"
                + " ORDER BY r.created_at, r.request_id, l.line_no");
             ResultSet rs = ps.executeQuery()) {
            Held current = null;
            while (rs.next()) {
                String id = rs.getString(1);
                if (current == null || !current.requestId.equals(id)) {
                    long expires = rs.getLong(4);
                    current = new Held(id, rs.getString(2), rs.getString(3), rs.wasNull() ? 0 : expires, new ArrayList<>());
                    out.add(current);
                }
                current.lines.add(new ReservationRow.Line(rs.getString(5), rs.getLong(6)));
            }
        }
        return out;
    }

    private void resetSequences() throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (String sql : new String[] {"UPDATE sku_inventory SET store_seq = 0", "UPDATE reservation SET store_seq = 0",
                        "UPDATE reservation_multi_line SET store_seq = 0"}) {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE sync_checkpoint SET applied_seq = 0 WHERE shard = ?")) {
                    ps.setString(1, shard);
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Map<String, StockFigures> rdsStocks(List<String> only) throws SQLException {
        Map<String, StockFigures> out = new LinkedHashMap<>();
        StringBuilder sql = new StringBuilder("SELECT sku, total, available, reserved, sold FROM sku_inventory");
        if (!only.isEmpty()) {
            sql.append(" WHERE sku IN (").append("?, ".repeat(only.size() - 1)).append("?)");
        }
        sql.append(" ORDER BY sku");
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            List<String> params = new ArrayList<>(only);
            for (int i = 0; i < params.size(); i++) {
                ps.setString(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new StockFigures(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                }
            }
        }
        return out;
    }
}
