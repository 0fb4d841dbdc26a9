package dev.seckill.sync;

import dev.seckill.sync.feed.ReservationRow;
import dev.seckill.sync.feed.StockFigures;
import dev.seckill.sync.feed.StoreClient;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Invariant 5, checked row by row: every SKU and every accepted reservation is the same in the RDS as in the store. */
public final class RdsAgreement {
    private RdsAgreement() {
    }

    /** The rows that differ, in words; empty when the RDS equals the store. */
    public static List<String> differences(StoreClient store, DataSource ds, Set<String> acceptedRequestIds) throws SQLException {
        List<String> out = new ArrayList<>();
        Map<String, StockFigures> rds = new HashMap<>();
        Map<String, ReservationRow> rdsRes = new HashMap<>();
        Map<String, List<ReservationRow.Line>> lines = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT sku, total, available, reserved, sold FROM sku_inventory")) {
                while (rs.next()) {
                    rds.put(rs.getString(1), new StockFigures(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT request_id, sku, quantity FROM reservation_line ORDER BY request_id, line_no")) {
                while (rs.next()) {
                    lines.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new ReservationRow.Line(rs.getString(2), rs.getLong(3)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT request_id, status, user_id, created_at, expires_at, updated_at, quantity, line_count FROM reservation")) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    long exp = rs.getLong(5);
                    boolean noExpiry = rs.wasNull();
                    List<ReservationRow.Line> l = lines.getOrDefault(id, List.of());
                    if (l.size() != rs.getInt(8) || l.stream().mapToLong(ReservationRow.Line::quantity).sum() != rs.getLong(7)) {
                        out.add("reservation " + id + ": header says " + rs.getInt(8) + " lines / " + rs.getLong(7) + " units, lines are " + l);
                    }
                    rdsRes.put(id, new ReservationRow(0, id, rs.getString(2), rs.getString(3), rs.getLong(4), noExpiry ? 0 : exp,
                            rs.getLong(6), l.isEmpty() ? List.of(new ReservationRow.Line("?", 0)) : l));
                }
            }
        }
        Set<String> storeSkus = new TreeSet<>(store.skuIds());
        if (!storeSkus.equals(new TreeSet<>(rds.keySet()))) {
            out.add("SKU sets differ: store " + storeSkus + " RDS " + new TreeSet<>(rds.keySet()));
        }
        Map<String, StockFigures> stocks = store.stocks(new ArrayList<>(storeSkus));
        for (String sku : storeSkus) {
            if (!Objects.equals(stocks.get(sku), rds.get(sku))) {
                out.add("sku " + sku + ": store " + stocks.get(sku) + " RDS " + rds.get(sku));
            }
        }
        if (!rdsRes.keySet().equals(acceptedRequestIds)) {
            Set<String> extra = new TreeSet<>(rdsRes.keySet());
            extra.removeAll(acceptedRequestIds);
            Set<String> missing = new TreeSet<>(acceptedRequestIds);
            missing.removeAll(rdsRes.keySet());
            out.add("reservation ids differ: missing in RDS " + missing + ", extra in RDS " + extra);
        }
        Map<String, ReservationRow> inStore = store.reservations(new ArrayList<>(acceptedRequestIds));
        for (String id : acceptedRequestIds) {
            ReservationRow s = inStore.get(id);
            ReservationRow r = rdsRes.get(id);
            if (s == null || r == null || !s.state().equals(r.state()) || !Objects.equals(s.user(), r.user())
                    || s.createdAt() != r.createdAt() || s.expiresAt() != r.expiresAt() || s.updatedAt() != r.updatedAt()
                    || !s.lines().equals(r.lines())) {
                out.add("reservation " + id + ": store " + s + " RDS " + r);
            }
        }
        return out;
    }

    /** The shard's checkpoint. */
    public static long checkpoint(DataSource ds, String shard) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT applied_seq FROM sync_checkpoint WHERE shard = ?")) {
            ps.setString(1, shard);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The one number {@code sql} answers. */
    public static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs one statement on {@code ds} (drift injection). */
    public static int execute(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }
}
