package dev.seckill.rds.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The migrations and the sync's replay-safe statements, on both dialects we run on:
 * H2 in MySQL mode (the embedded default) and the real MariaDB on 127.0.0.1:3306.
 * Every test gets a fresh database (MariaDB: a schema it creates and drops itself).
 * MariaDB not answering is a failure, never a skip.
 */
class SchemaMigrationTest {

    enum Dialect { H2, MARIADB }

    static final String MARIADB_URL = System.getProperty("rds.test.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/test");
    static final String MARIADB_USER = System.getProperty("rds.test.mariadb.user", "root");
    static final String MARIADB_PASSWORD = System.getProperty("rds.test.mariadb.password", "");

    static final List<String> SYNC_STATEMENTS = List.of(
            "upsert_sku_inventory", "upsert_reservation", "upsert_reservation_line",
            "delete_stale_reservation_lines", "upsert_sync_checkpoint", "select_sync_checkpoint");

    /** A fresh, empty database of one dialect; closing drops it. */
    record Db(Dialect dialect, String url, String user, String password, String dropSql) implements AutoCloseable {

        static Db fresh(Dialect dialect) {
            String name = "rds_schema_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            if (dialect == Dialect.H2) {
                return new Db(dialect, "jdbc:h2:mem:" + name + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                        "sa", "", "SHUTDOWN");
            }
            try (Connection c = DriverManager.getConnection(withConnectTimeout(MARIADB_URL), MARIADB_USER, MARIADB_PASSWORD);
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                fail("MariaDB must answer at " + MARIADB_URL + " as " + MARIADB_USER
                        + " (CI runs it; set -Drds.test.mariadb.url/user/password to point elsewhere): " + e, e);
            }
            String url = MARIADB_URL.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
            return new Db(dialect, url, MARIADB_USER, MARIADB_PASSWORD, "DROP DATABASE IF EXISTS " + name);
        }

        private static String withConnectTimeout(String url) {
            return url + (url.contains("?") ? "&" : "?") + "connectTimeout=3000";
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }

        Flyway flyway() {
            return Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration").load();
        }

        Db migrated() {
            flyway().migrate();
            return this;
        }

        @Override
        public void close() throws SQLException {
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute(dropSql);
            }
        }
    }

    static String sync(String name) {
        try (InputStream in = SchemaMigrationTest.class.getResourceAsStream("/db/sync/" + name + ".sql")) {
            assertThat(in).as("db/sync/%s.sql on the classpath", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static int exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] == null) {
                    ps.setNull(i + 1, Types.BIGINT);
                } else {
                    ps.setObject(i + 1, params[i]);
                }
            }
            return ps.executeUpdate();
        }
    }

    static List<List<Object>> rows(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<List<Object>> out = new ArrayList<>();
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        Object v = rs.getObject(i);
                        row.add(v instanceof Number num ? (Object) num.longValue() : v);
                    }
                    out.add(row);
                }
                return out;
            }
        }
    }

    static void upsertSku(Connection c, String sku, long total, long available, long reserved, long sold,
                          long seq, long updatedAt) throws SQLException {
        exec(c, sync("upsert_sku_inventory"), sku, total, available, reserved, sold, seq, updatedAt);
    }

    static List<Object> skuRow(Connection c, String sku) throws SQLException {
        List<List<Object>> r = rows(c, "SELECT total, available, reserved, sold, store_seq, updated_at"
                + " FROM sku_inventory WHERE sku = ?", sku);
        assertThat(r).as("rows for sku %s", sku).hasSize(1);
        return r.get(0);
    }

    /** What the sync does with one reservation row of the feed: header, lines, stale lines. */
    static void applyReservation(Connection c, String requestId, String user, String status, long createdAt,
                                 Long expiresAt, long updatedAt, long seq, Object... skuQty) throws SQLException {
        applyReservationOfSale(c, null, requestId, user, status, createdAt, expiresAt, updatedAt, seq, skuQty);
    }

    /** The same, with the sale the sync looked up for the reservation's SKU (null: none). */
    static void applyReservationOfSale(Connection c, String saleId, String requestId, String user, String status, long createdAt,
                                       Long expiresAt, long updatedAt, long seq, Object... skuQty) throws SQLException {
        long quantity = 0;
        for (int i = 1; i < skuQty.length; i += 2) {
            quantity += ((Number) skuQty[i]).longValue();
        }
        exec(c, sync("upsert_reservation"), requestId, saleId, user, skuQty[0], quantity, skuQty.length / 2, status,
                createdAt, expiresAt, updatedAt, seq);
        for (int i = 0; i < skuQty.length; i += 2) {
            exec(c, sync("upsert_reservation_line"), i / 2 + 1, skuQty[i], skuQty[i + 1], requestId, seq);
        }
        exec(c, sync("delete_stale_reservation_lines"), requestId, seq);
    }

    static List<Object> reservationRow(Connection c, String requestId) throws SQLException {
        List<List<Object>> r = rows(c, "SELECT user_id, sku, quantity, line_count, status, created_at, expires_at,"
                + " updated_at, store_seq FROM reservation WHERE request_id = ?", requestId);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    static List<List<Object>> lines(Connection c, String requestId) throws SQLException {
        return rows(c, "SELECT line_no, sku, quantity, store_seq FROM reservation_line WHERE request_id = ?"
                + " ORDER BY line_no", requestId);
    }

    static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }

    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void migratesCleanlyAndMigratingAgainIsANoOp(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect)) {
            MigrateResult first = db.flyway().migrate();
            assertThat(first.success).isTrue();
            assertThat(first.migrationsExecuted).isEqualTo(5);
            assertThat(first.targetSchemaVersion).isEqualTo("5");

            MigrateResult again = db.flyway().migrate();
            assertThat(again.success).isTrue();
            assertThat(again.migrationsExecuted).isZero();
            assertThat(db.flyway().validateWithResult().validationSuccessful).isTrue();
            assertThat(db.flyway().info().applied()).hasSize(5);
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void tablesHaveTheirKeysColumnsAndIndexes(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect).migrated(); Connection c = db.connect()) {
            DatabaseMetaData md = c.getMetaData();
            Map<String, List<String>> primaryKeys = Map.of(
                    "sku_inventory", List.of("sku"),
                    "reservation", List.of("request_id"),
                    "reservation_multi_line", List.of("request_id", "line_no"),
                    "sync_checkpoint", List.of("shard"),
                    "sale", List.of("sale_id"),
                    "reconciliation_run", List.of("run_id"));
            Map<String, List<String>> columns = Map.of(
                    "sku_inventory", List.of("sku", "total", "available", "reserved", "sold", "store_seq", "updated_at"),
                    "reservation", List.of("request_id", "sale_id", "user_id", "sku", "quantity", "line_count", "status",
                            "created_at", "expires_at", "updated_at", "store_seq"),
                    "reservation_line", List.of("request_id", "line_no", "sku", "quantity", "store_seq"),
                    "reservation_multi_line", List.of("request_id", "line_no", "sku", "quantity", "store_seq"),
                    "sync_checkpoint", List.of("shard", "applied_seq", "updated_at"),
                    "sale", List.of("sale_id", "sku", "title", "price_minor", "currency", "units", "per_user_limit",
                            "status", "starts_at", "ends_at", "created_at", "updated_at", "reservation_ttl_ms"),
                    "reconciliation_run", List.of("run_id", "started_at", "finished_at", "shard", "repair_mode", "result",
                            "skus_checked", "reservations_checked", "drift_found", "repairs", "detail"));
            Map<String, Set<String>> indexes = Map.of(
                    "reservation", Set.of("ix_reservation_user", "ix_reservation_sku_status"),
                    "reservation_multi_line", Set.of("ix_reservation_line_sku"),
                    "sale", Set.of("ix_sale_sku", "ix_sale_status_starts", "ux_sale_sku"),
                    "reconciliation_run", Set.of("ix_reconciliation_run_started", "ix_reconciliation_run_result"));

            for (String table : columns.keySet()) {
                Map<Integer, String> pk = new TreeMap<>();
                try (ResultSet rs = md.getPrimaryKeys(c.getCatalog(), c.getSchema(), table)) {
                    while (rs.next()) {
                        pk.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                    }
                }
                assertThat(new ArrayList<>(pk.values())).as("primary key of %s", table)
                        .isEqualTo(primaryKeys.getOrDefault(table, List.of())); // reservation_line is a view (V5)

                List<String> cols = new ArrayList<>();
                try (ResultSet rs = md.getColumns(c.getCatalog(), c.getSchema(), table, null)) {
                    while (rs.next()) {
                        cols.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                    }
                }
                assertThat(cols).as("columns of %s", table).containsExactlyElementsOf(columns.get(table));

                Set<String> idx = new HashSet<>();
                try (ResultSet rs = md.getIndexInfo(c.getCatalog(), c.getSchema(), table, false, false)) {
                    while (rs.next()) {
                        if (rs.getString("INDEX_NAME") != null) {
                            idx.add(rs.getString("INDEX_NAME").toLowerCase(Locale.ROOT));
                        }
                    }
                }
                assertThat(idx).as("indexes of %s", table).containsAll(indexes.getOrDefault(table, Set.of()));
                if (table.equals("reservation")) {
                    assertThat(idx).as("indexes V5 dropped").doesNotContain("ix_reservation_status_expires", "ix_reservation_sale");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void skuUpsertOnlyTakesANewerStoreSeq(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect).migrated(); Connection c = db.connect()) {
            upsertSku(c, "sku-1", 100, 90, 6, 4, 5, 1_000);
            assertThat(skuRow(c, "sku-1")).isEqualTo(row(100L, 90L, 6L, 4L, 5L, 1_000L));

            upsertSku(c, "sku-1", 100, 90, 6, 4, 5, 1_000);      // replay of the same row
            assertThat(skuRow(c, "sku-1")).isEqualTo(row(100L, 90L, 6L, 4L, 5L, 1_000L));

            upsertSku(c, "sku-1", 100, 99, 1, 0, 3, 900);         // older: ignored
            assertThat(skuRow(c, "sku-1")).isEqualTo(row(100L, 90L, 6L, 4L, 5L, 1_000L));

            upsertSku(c, "sku-1", 120, 100, 2, 18, 7, 1_100);     // newer: every column taken
            assertThat(skuRow(c, "sku-1")).isEqualTo(row(120L, 100L, 2L, 18L, 7L, 1_100L));

            upsertSku(c, "sku-1", 100, 90, 6, 4, 5, 1_000);       // replay after it: still ignored
            assertThat(skuRow(c, "sku-1")).isEqualTo(row(120L, 100L, 2L, 18L, 7L, 1_100L));
        }
    }

    /**
     * Why the statements assign store_seq last: MariaDB evaluates ON DUPLICATE KEY UPDATE
     * assignments left to right, each seeing the ones before; H2 evaluates them all against
     * the old row. With store_seq first, MariaDB would take the new seq and drop the data.
     */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void assignmentOrderMattersOnMariaDb(Dialect dialect) throws Exception {
        String seqFirst = "INSERT INTO sku_inventory (sku, total, available, reserved, sold, store_seq, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
                + " store_seq = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(store_seq) ELSE store_seq END,"
                + " updated_at = CASE WHEN VALUES(store_seq) > store_seq THEN VALUES(updated_at) ELSE updated_at END";
        try (Db db = Db.fresh(dialect).migrated(); Connection c = db.connect()) {
            exec(c, seqFirst, "sku-o", 1, 1, 0, 0, 5, 1_000);
            exec(c, seqFirst, "sku-o", 1, 1, 0, 0, 7, 2_000);
            long updatedAt = (Long) skuRow(c, "sku-o").get(5);
            assertThat(updatedAt).isEqualTo(dialect == Dialect.MARIADB ? 1_000L : 2_000L);
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void reservationUpsertKeepsMultiLineReservationsReplaySafe(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect).migrated(); Connection c = db.connect()) {
            // INV.RESERVEALL: two lines, pending with a TTL
            applyReservation(c, "req-1", "u-1", "reserved", 1_000, 31_000L, 1_000, 10, "sku-a", 2, "sku-b", 1);
            List<Object> reserved = row("u-1", "sku-a", 3L, 2L, "reserved", 1_000L, 31_000L, 1_000L, 10L);
            List<List<Object>> lines10 = List.of(row(1L, "sku-a", 2L, 10L), row(2L, "sku-b", 1L, 10L));
            assertThat(reservationRow(c, "req-1")).isEqualTo(reserved);
            assertThat(lines(c, "req-1")).isEqualTo(lines10);

            // replay of the same row, and an older one: nothing changes
            applyReservation(c, "req-1", "u-1", "reserved", 1_000, 31_000L, 1_000, 10, "sku-a", 2, "sku-b", 1);
            applyReservation(c, "req-1", "u-1", "reserved", 1_000, 31_000L, 900, 8, "sku-a", 5);
            assertThat(reservationRow(c, "req-1")).isEqualTo(reserved);
            assertThat(lines(c, "req-1")).isEqualTo(lines10);

            // newer: confirmed
            applyReservation(c, "req-1", "u-1", "confirmed", 1_000, 31_000L, 5_000, 12, "sku-a", 2, "sku-b", 1);
            assertThat(reservationRow(c, "req-1"))
                    .isEqualTo(row("u-1", "sku-a", 3L, 2L, "confirmed", 1_000L, 31_000L, 5_000L, 12L));
            assertThat(lines(c, "req-1")).isEqualTo(List.of(row(1L, "sku-a", 2L, 12L), row(2L, "sku-b", 1L, 12L)));

            // the id reused later (the store forgot it) with one line and no TTL: the stale line goes
            applyReservation(c, "req-1", "u-2", "reserved", 90_000, null, 90_000, 20, "sku-c", 4);
            List<Object> reused = row("u-2", "sku-c", 4L, 1L, "reserved", 90_000L, null, 90_000L, 20L);
            assertThat(reservationRow(c, "req-1")).isEqualTo(reused);
            assertThat(lines(c, "req-1")).isEqualTo(List.of(row(1L, "sku-c", 4L, 20L)));
            assertThat(rows(c, "SELECT COUNT(*) FROM reservation_multi_line")).isEqualTo(List.of(row(0L)));

            // replaying the confirmed version after that deletes and changes nothing
            applyReservation(c, "req-1", "u-1", "confirmed", 1_000, 31_000L, 5_000, 12, "sku-a", 2, "sku-b", 1);
            assertThat(reservationRow(c, "req-1")).isEqualTo(reused);
            assertThat(lines(c, "req-1")).isEqualTo(List.of(row(1L, "sku-c", 4L, 20L)));
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aOneLineReservationIsItsRowAloneAndTheViewShowsEveryLine(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect).migrated(); Connection c = db.connect()) {
            applyReservation(c, "req-1", "u-1", "reserved", 1_000, null, 1_000, 10, "sku-a", 2);
            applyReservation(c, "req-2", "u-1", "reserved", 1_000, null, 1_000, 11, "sku-a", 1, "sku-b", 3);
            applyReservation(c, "req-3", "u-2", "confirmed", 1_000, null, 2_000, 12, "sku-b", 5);
            assertThat(rows(c, "SELECT request_id, line_no FROM reservation_multi_line ORDER BY request_id, line_no"))
                    .as("only the reservation of two lines has line rows")
                    .isEqualTo(List.of(row("req-2", 1L), row("req-2", 2L)));
            assertThat(rows(c, "SELECT request_id, line_no, sku, quantity, store_seq FROM reservation_line ORDER BY request_id, line_no"))
                    .isEqualTo(List.of(row("req-1", 1L, "sku-a", 2L, 10L), row("req-2", 1L, "sku-a", 1L, 11L),
                            row("req-2", 2L, "sku-b", 3L, 11L), row("req-3", 1L, "sku-b", 5L, 12L)));
            // the per-SKU sums of the README, unchanged
            assertThat(rows(c, "SELECT l.sku, SUM(l.quantity) FROM reservation_line l JOIN reservation r ON r.request_id = l.request_id"
                    + " WHERE r.status = 'reserved' GROUP BY l.sku ORDER BY l.sku"))
                    .isEqualTo(List.of(row("sku-a", 3L), row("sku-b", 3L)));
            assertThatThrownBy(() -> exec(c, "INSERT INTO reservation_line (request_id, line_no, sku, quantity, store_seq)"
                    + " VALUES ('req-9', 1, 'sku-a', 1, 1)")).as("the view is read-only").isInstanceOf(SQLException.class);
        }
    }

    /** V4 data (a line row for every line) upgraded by V5: the same lines read through the view. */
    @ParameterizedTest
    @EnumSource(Dialect.class)
    void upgradeFromV4KeepsEveryLine(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect); Connection c = db.connect()) {
            Flyway.configure().dataSource(db.url(), db.user(), db.password()).locations("classpath:db/migration")
                    .target("4").load().migrate();
            String header = "INSERT INTO reservation (request_id, sale_id, user_id, sku, quantity, line_count, status,"
                    + " created_at, expires_at, updated_at, store_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
            String line = "INSERT INTO reservation_line (request_id, line_no, sku, quantity, store_seq) VALUES (?, ?, ?, ?, ?)";
            exec(c, header, "r-1", "sale-a", "u-1", "sku-a", 2, 1, "reserved", 1_000, 901_000, 1_000, 5);
            exec(c, line, "r-1", 1, "sku-a", 2, 5);
            exec(c, header, "r-2", null, "u-2", "sku-a", 4, 2, "confirmed", 1_000, null, 3_000, 9);
            exec(c, line, "r-2", 1, "sku-a", 1, 9);
            exec(c, line, "r-2", 2, "sku-b", 3, 9);
            exec(c, header, "r-3", null, null, "sku-b", 1, 1, "cancelled", 2_000, null, 4_000, 11);
            exec(c, line, "r-3", 1, "sku-b", 1, 11);
            String all = "SELECT request_id, line_no, sku, quantity, store_seq FROM reservation_line ORDER BY request_id, line_no";
            List<List<Object>> before = rows(c, all);
            List<List<Object>> headersBefore = rows(c, "SELECT * FROM reservation ORDER BY request_id");

            MigrateResult up = db.flyway().migrate();
            assertThat(up.migrationsExecuted).isEqualTo(1);
            assertThat(up.targetSchemaVersion).isEqualTo("5");
            assertThat(rows(c, all)).isEqualTo(before);
            assertThat(rows(c, "SELECT * FROM reservation ORDER BY request_id")).isEqualTo(headersBefore);
            assertThat(rows(c, "SELECT request_id, line_no FROM reservation_multi_line ORDER BY request_id, line_no"))
                    .isEqualTo(List.of(row("r-2", 1L), row("r-2", 2L)));

            // the sync's statements go on from there: r-2 reused with one line leaves no line row
            applyReservation(c, "r-2", "u-3", "reserved", 9_000, null, 9_000, 20, "sku-c", 1);
            assertThat(lines(c, "r-2")).isEqualTo(List.of(row(1L, "sku-c", 1L, 20L)));
            assertThat(rows(c, "SELECT COUNT(*) FROM reservation_multi_line")).isEqualTo(List.of(row(0L)));
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void reservationUpsertFillsTheSaleAndANullNeverErasesIt(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect).migrated(); Connection c = db.connect()) {
            String saleOf = "SELECT sale_id, status FROM reservation WHERE request_id = ?";
            applyReservationOfSale(c, "sale-a", "req-1", "u-1", "reserved", 1_000, null, 1_000, 10, "sku-a", 1);
            assertThat(rows(c, saleOf, "req-1")).containsExactly(row("sale-a", "reserved"));

            // a newer version for which the lookup found no sale keeps the one the row has
            applyReservationOfSale(c, null, "req-1", "u-1", "confirmed", 1_000, null, 2_000, 11, "sku-a", 1);
            assertThat(rows(c, saleOf, "req-1")).containsExactly(row("sale-a", "confirmed"));

            // an older replay changes nothing, its sale neither
            applyReservationOfSale(c, "sale-b", "req-1", "u-1", "reserved", 1_000, null, 1_000, 9, "sku-a", 1);
            assertThat(rows(c, saleOf, "req-1")).containsExactly(row("sale-a", "confirmed"));

            // written before its sale was known, then filled by a newer version
            applyReservationOfSale(c, null, "req-2", "u-1", "reserved", 3_000, null, 3_000, 20, "sku-a", 1);
            assertThat(rows(c, saleOf, "req-2")).containsExactly(row(null, "reserved"));
            applyReservationOfSale(c, "sale-a", "req-2", "u-1", "cancelled", 3_000, null, 4_000, 21, "sku-a", 1);
            assertThat(rows(c, saleOf, "req-2")).containsExactly(row("sale-a", "cancelled"));
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void batchAndCheckpointCommitTogetherAndTheCheckpointNeverGoesBack(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect).migrated(); Connection c = db.connect()) {
            c.setAutoCommit(false);
            // batch 1 (seq up to 100): the first one for this shard
            assertThat(rows(c, sync("select_sync_checkpoint"), "shard-0")).isEmpty();
            upsertSku(c, "sku-a", 10, 8, 2, 0, 99, 1_000);
            applyReservation(c, "req-1", "u-1", "reserved", 900, 60_900L, 900, 100, "sku-a", 2);
            exec(c, sync("upsert_sync_checkpoint"), "shard-0", 100, 1_000);
            c.commit();
            assertThat(rows(c, sync("select_sync_checkpoint"), "shard-0")).isEqualTo(List.of(row(100L)));
            c.commit();

            // batch 2 fails half way: neither its rows nor its checkpoint are kept
            assertThat(rows(c, sync("select_sync_checkpoint"), "shard-0")).isEqualTo(List.of(row(100L)));
            upsertSku(c, "sku-a", 10, 10, 0, 0, 140, 2_000);
            applyReservation(c, "req-1", "u-1", "cancelled", 900, 60_900L, 2_000, 141, "sku-a", 2);
            exec(c, sync("upsert_sync_checkpoint"), "shard-0", 150, 2_000);
            c.rollback();
            assertThat(skuRow(c, "sku-a")).isEqualTo(row(10L, 8L, 2L, 0L, 99L, 1_000L));
            assertThat(reservationRow(c, "req-1").get(4)).isEqualTo("reserved");
            assertThat(rows(c, "SELECT applied_seq, updated_at FROM sync_checkpoint WHERE shard = ?", "shard-0"))
                    .isEqualTo(List.of(row(100L, 1_000L)));
            c.commit();

            // batch 2 retried and batch 3 applied
            upsertSku(c, "sku-a", 10, 10, 0, 0, 140, 2_000);
            applyReservation(c, "req-1", "u-1", "cancelled", 900, 60_900L, 2_000, 141, "sku-a", 2);
            exec(c, sync("upsert_sync_checkpoint"), "shard-0", 150, 2_000);
            c.commit();
            upsertSku(c, "sku-a", 15, 15, 0, 0, 200, 3_000);
            exec(c, sync("upsert_sync_checkpoint"), "shard-0", 200, 3_000);
            c.commit();

            // a late replay of batch 1 (e.g. a second sync that read an old checkpoint) changes nothing
            upsertSku(c, "sku-a", 10, 8, 2, 0, 99, 1_000);
            applyReservation(c, "req-1", "u-1", "reserved", 900, 60_900L, 900, 100, "sku-a", 2);
            exec(c, sync("upsert_sync_checkpoint"), "shard-0", 100, 4_000);
            c.commit();
            assertThat(skuRow(c, "sku-a")).isEqualTo(row(15L, 15L, 0L, 0L, 200L, 3_000L));
            assertThat(reservationRow(c, "req-1").get(4)).isEqualTo("cancelled");
            assertThat(rows(c, "SELECT applied_seq, updated_at FROM sync_checkpoint WHERE shard = ?", "shard-0"))
                    .isEqualTo(List.of(row(200L, 3_000L)));
            c.commit();
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void checkConstraintsRejectImpossibleFigures(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect).migrated(); Connection c = db.connect()) {
            upsertSku(c, "sku-ok", 10, 10, 0, 0, 1, 1);
            assertThatThrownBy(() -> upsertSku(c, "sku-neg", 0, -1, 1, 0, 1, 1))
                    .as("negative available").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> upsertSku(c, "sku-sum", 10, 5, 1, 1, 1, 1))
                    .as("total != available + reserved + sold").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> upsertSku(c, "sku-ok", 10, 5, 1, 1, 2, 2))
                    .as("unbalanced update through the upsert").isInstanceOf(SQLException.class);
            assertThat(skuRow(c, "sku-ok")).isEqualTo(row(10L, 10L, 0L, 0L, 1L, 1L));
            assertThatThrownBy(() -> applyReservation(c, "req-x", "u", "pending", 1, null, 1, 1, "sku-ok", 1))
                    .as("unknown status").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> applyReservation(c, "req-y", "u", "reserved", 1, null, 1, 1, "sku-ok", 0))
                    .as("zero quantity").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> exec(c, "INSERT INTO reconciliation_run (started_at, repair_mode, result)"
                    + " VALUES (1, 'none', 'ok')")).as("unknown result").isInstanceOf(SQLException.class);
            exec(c, "INSERT INTO reconciliation_run (started_at, repair_mode, result) VALUES (1, 'none', 'running')");
            exec(c, "INSERT INTO sale (sale_id, sku, title, price_minor, currency, units, per_user_limit, status,"
                    + " starts_at, ends_at, created_at, updated_at)"
                    + " VALUES ('s-1', 'sku-ok', 'Flash', 999, 'EUR', 10, 1, 'scheduled', 10, 20, 1, 1)");
            assertThatThrownBy(() -> exec(c, "INSERT INTO sale (sale_id, sku, title, price_minor, currency, units,"
                    + " status, starts_at, ends_at, created_at, updated_at)"
                    + " VALUES ('s-2', 'sku-ok', 'Again', 1, 'EUR', 1, 'active', 10, 20, 1, 1)"))
                    .as("a second sale of one SKU").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> exec(c, "INSERT INTO sale (sale_id, sku, title, price_minor, currency, units,"
                    + " status, starts_at, ends_at, created_at, updated_at, reservation_ttl_ms)"
                    + " VALUES ('s-3', 'sku-3', 'No TTL', 1, 'EUR', 1, 'active', 10, 20, 1, 1, 0)"))
                    .as("a reservation TTL of 0").isInstanceOf(SQLException.class);
            assertThat(rows(c, "SELECT reservation_ttl_ms FROM sale WHERE sale_id = 's-1'"))
                    .as("the default TTL, 15 minutes").isEqualTo(List.of(row(900_000L)));
            // defaults; run_id is not asserted: the refused insert may have used one up (MariaDB does)
            assertThat(rows(c, "SELECT result, drift_found, repairs, finished_at FROM reconciliation_run"))
                    .isEqualTo(List.of(row("running", 0L, 0L, null)));
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void idsAreByteExactLikeTheStore(Dialect dialect) throws Exception {
        try (Db db = Db.fresh(dialect).migrated(); Connection c = db.connect()) {
            String longest = "x".repeat(128);
            String fourByte = "\uD83D\uDE00".repeat(32);                 // 32 emoji = 128 bytes
            List<String> ids = List.of("sku-a", "SKU-A", "sku-a ", "sku-\u00e4", longest, fourByte);
            long seq = 1;
            for (String id : ids) {
                upsertSku(c, id, seq, seq, 0, 0, seq, seq);
                seq++;
            }
            assertThat(rows(c, "SELECT COUNT(*) FROM sku_inventory")).isEqualTo(List.of(row((long) ids.size())));
            for (int i = 0; i < ids.size(); i++) {
                assertThat(skuRow(c, ids.get(i)).get(4)).as("store_seq of %s", ids.get(i)).isEqualTo(i + 1L);
            }
            assertThatThrownBy(() -> upsertSku(c, longest + "x", 1, 1, 0, 0, 1, 1))
                    .as("129 characters").isInstanceOf(SQLException.class);
        }
    }

    @Test
    void readmeShowsTheSyncStatementsAsTheyAre() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("rdsSchemaReadme", "README.md")));
        for (String name : SYNC_STATEMENTS) {
            String sql = sync(name).lines().filter(l -> !l.startsWith("--")).collect(Collectors.joining("\n"));
            assertThat(readme).as("README.md shows db/sync/%s.sql", name).contains(sql.strip());
        }
    }
}
