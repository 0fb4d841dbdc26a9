package dev.seckill.service.sale;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The {@code sale} table (rds-schema V2 + V3). Times are epoch milliseconds; a sale without an
 * end is stored with {@link #NO_END} because {@code ends_at} is NOT NULL.
 */
@Repository
public class SaleRepository {
    /** 9999-12-31T23:59:59.999Z: the {@code ends_at} of a sale that never ends. */
    static final long NO_END = 253_402_300_799_999L;

    private static final String COLUMNS = "sale_id, sku, units, per_user_limit, starts_at, ends_at, reservation_ttl_ms,"
            + " created_at, updated_at";

    private static final RowMapper<Sale> ROW = (rs, n) -> {
        long ends = rs.getLong("ends_at");
        int limit = rs.getInt("per_user_limit");
        Integer perUser = rs.wasNull() ? null : limit;
        return new Sale(rs.getString("sale_id"), rs.getString("sku"), rs.getLong("units"), perUser,
                Instant.ofEpochMilli(rs.getLong("starts_at")), ends == NO_END ? null : Instant.ofEpochMilli(ends),
                Duration.ofMillis(rs.getLong("reservation_ttl_ms")), Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")));
    };

    private final JdbcTemplate jdbc;

    public SaleRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts a new sale. Title, price and currency stay NULL: the API carries none of them (the
     * e-commerce service that calls it owns the catalogue and the prices).
     *
     * @throws DuplicateKeyException if the id or the SKU already has a sale
     */
    public void insert(Sale s, String status) {
        jdbc.update("INSERT INTO sale (sale_id, sku, units, per_user_limit, status,"
                        + " starts_at, ends_at, created_at, updated_at, reservation_ttl_ms)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                s.id(), s.sku(), s.units(), s.perUserLimit(), status, s.startsAt().toEpochMilli(),
                s.endsAt() == null ? NO_END : s.endsAt().toEpochMilli(), s.createdAt().toEpochMilli(),
                s.updatedAt().toEpochMilli(), s.reservationTtl().toMillis());
    }

    public Optional<Sale> findById(String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM sale WHERE sale_id = ?", ROW, id).stream().findFirst();
    }

    public Optional<Sale> findBySku(String sku) {
        return jdbc.query("SELECT " + COLUMNS + " FROM sale WHERE sku = ?", ROW, sku).stream().findFirst();
    }

    /** The newest {@code limit} sales, oldest first. */
    public List<Sale> findAll(int limit) {
        List<Sale> newest = jdbc.query("SELECT " + COLUMNS + " FROM sale ORDER BY created_at DESC, sale_id DESC LIMIT ?",
                ROW, limit);
        List<Sale> oldestFirst = new ArrayList<>(newest);
        Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** Records a restock of {@code delta} units. */
    /** The sale's units as the store last said (its SKU's total). */
    public void setUnits(String id, long units, Instant now) {
        jdbc.update("UPDATE sale SET units = ?, updated_at = ? WHERE sale_id = ?", units, now.toEpochMilli(), id);
    }

    /** Moves {@code status} along the window: scheduled -> active -> ended. */
    public int refreshStatuses(Instant now) {
        long t = now.toEpochMilli();
        int n = jdbc.update("UPDATE sale SET status = 'ended', updated_at = ? WHERE status IN ('scheduled', 'active')"
                + " AND ends_at <= ?", t, t);
        n += jdbc.update("UPDATE sale SET status = 'active', updated_at = ? WHERE status = 'scheduled'"
                + " AND starts_at <= ? AND ends_at > ?", t, t, t);
        return n;
    }
}
