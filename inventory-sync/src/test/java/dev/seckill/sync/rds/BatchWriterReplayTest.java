package dev.seckill.sync.rds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.sync.TestDatabase;
import dev.seckill.sync.feed.FeedRow;
import dev.seckill.sync.feed.ReservationRow;
import dev.seckill.sync.feed.ReservationRow.Line;
import dev.seckill.sync.feed.SkuRow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Replaying a batch, or an older batch after a newer one, changes nothing (idempotent by sequence). */
class BatchWriterReplayTest {
    private static final List<FeedRow> FIRST = List.of(
            new SkuRow(1, "phone", 10, 10, 0, 0),
            new SkuRow(2, "case", 5, 5, 0, 0),
            new ReservationRow(3, "order-1", "reserved", "alice", 1000, 61_000, 1000, List.of(new Line("phone", 2))),
            new ReservationRow(4, "order-2", "reserved", null, 1001, 0, 1001, List.of(new Line("phone", 1), new Line("case", 1))),
            new SkuRow(5, "phone", 10, 7, 3, 0),
            new SkuRow(6, "case", 5, 4, 1, 0));
    private static final List<FeedRow> SECOND = List.of(
            new ReservationRow(7, "order-1", "confirmed", "alice", 1000, 61_000, 2000, List.of(new Line("phone", 2))),
            new ReservationRow(8, "order-2", "cancelled", null, 1001, 0, 2001, List.of(new Line("phone", 1), new Line("case", 1))),
            new SkuRow(9, "phone", 10, 8, 0, 2),
            new SkuRow(10, "case", 5, 5, 0, 0));

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aReplayedOrOlderBatchChangesNothing(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            BatchWriter writer = new BatchWriter(db.dataSource(), "shard-0");
            writer.ensureCheckpoint();

            BatchWriter.WriteResult first = writer.write(FIRST, 6);
            assertThat(first.skippedRows()).isZero();
            assertThat(first.skuRows()).as("compacted: one row per SKU").isEqualTo(2);
            assertThat(first.appliedSeq()).isEqualTo(6);
            List<String> afterFirst = dump(db.dataSource());
            assertThat(afterFirst).contains("sku phone 10 7 3 0 seq=5", "line order-2 2 case 1 seq=4");

            BatchWriter.WriteResult again = writer.write(FIRST, 6);
            assertThat(again.skippedRows()).isEqualTo(FIRST.size());
            assertThat(dump(db.dataSource())).isEqualTo(afterFirst);

            writer.write(SECOND, 10);
            List<String> afterSecond = dump(db.dataSource());
            assertThat(afterSecond).contains("sku phone 10 8 0 2 seq=9", "reservation order-1 confirmed alice 2 lines=1 seq=7");

            writer.write(FIRST, 6); // late replay of an older batch
            assertThat(dump(db.dataSource())).isEqualTo(afterSecond);
            assertThat(writer.appliedSeq()).isEqualTo(10);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void evenWithoutTheCheckpointTheRowGuardsKeepTheNewerState(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            new BatchWriter(db.dataSource(), "a").write(SECOND.subList(0, 3), 9);
            new BatchWriter(db.dataSource(), "b").write(FIRST, 6); // another shard's checkpoint: rows are guarded by store_seq alone
            List<String> rows = dump(db.dataSource());
            assertThat(rows).contains("sku phone 10 8 0 2 seq=9", "reservation order-1 confirmed alice 2 lines=1 seq=7",
                    "reservation order-2 cancelled null 2 lines=2 seq=8");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aReusedRequestIdWithFewerLinesShowsNoStaleLine(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            BatchWriter writer = new BatchWriter(db.dataSource(), "shard-0");
            writer.write(FIRST, 6); // order-2 has two lines
            List<FeedRow> reused = List.of(
                    new ReservationRow(30, "order-2", "reserved", "zoe", 5000, 0, 5000, List.of(new Line("case", 3))));
            BatchWriter.WriteResult r = writer.write(reused, 30);
            assertThat(dump(db.dataSource())).contains("reservation order-2 reserved zoe 3 lines=1 seq=30", "line order-2 1 case 3 seq=30")
                    .noneMatch(row -> row.startsWith("line order-2 2 "));
            assertThat(r.statements()).as("checkpoint lock, sale lookup, header, checkpoint: a one-line reservation is its header alone")
                    .isEqualTo(4);

            // three lines, then the id reused with two: the third line row goes
            List<Line> three = List.of(new Line("a", 1), new Line("b", 1), new Line("c", 1));
            writer.write(List.of(new ReservationRow(31, "order-5", "reserved", null, 1, 0, 1, three)), 31);
            BatchWriter.WriteResult shrunk = writer.write(List.of(
                    new ReservationRow(32, "order-5", "reserved", "ann", 9, 0, 9, List.of(new Line("b", 2), new Line("a", 1)))), 32);
            assertThat(shrunk.statements()).as("checkpoint lock, header read, header, lines, stale-line delete, checkpoint").isEqualTo(6);
            assertThat(dump(db.dataSource())).filteredOn(row -> row.contains(" order-5 ") && row.startsWith("line"))
                    .containsExactly("line order-5 1 b 2 seq=32", "line order-5 2 a 1 seq=32",
                            "line row order-5 1 seq=32", "line row order-5 2 seq=32");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aOneLineReservationIsItsRowAloneWhateverItsIdHeldBefore(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            BatchWriter writer = new BatchWriter(db.dataSource(), "shard-0");
            writer.write(FIRST, 6);
            assertThat(dump(db.dataSource())).filteredOn(row -> row.startsWith("line row "))
                    .as("only order-2, of two lines, has line rows").containsExactly("line row order-2 1 seq=4", "line row order-2 2 seq=4");
            assertThat(dump(db.dataSource())).contains("line order-1 1 phone 2 seq=3", "line order-2 1 phone 1 seq=4", "line order-2 2 case 1 seq=4");

            // order-1 reused with two lines, then order-2 and order-1 again with one: line rows follow the newest row only
            ReservationRow twoLines = new ReservationRow(40, "order-1", "reserved", "bob", 7000, 0, 7000, List.of(new Line("case", 1), new Line("phone", 1)));
            writer.write(List.of(twoLines), 40);
            writer.write(List.of(
                    new ReservationRow(41, "order-2", "reserved", "zoe", 7001, 0, 7001, List.of(new Line("phone", 4))),
                    new ReservationRow(42, "order-1", "confirmed", "bob", 7000, 0, 7002, List.of(new Line("case", 2)))), 42);
            List<String> after = dump(db.dataSource());
            assertThat(after).filteredOn(row -> row.startsWith("line ") && !row.startsWith("line row "))
                    .containsExactly("line order-1 1 case 2 seq=42", "line order-2 1 phone 4 seq=41");
            assertThat(after).as("the old line rows stay, dead: their store_seq is not the reservation's")
                    .contains("line row order-1 1 seq=40", "line row order-1 2 seq=40", "line row order-2 1 seq=4", "line row order-2 2 seq=4");

            // the two-line version replayed by a writer of another shard (no checkpoint to skip it): no line row comes back
            new BatchWriter(db.dataSource(), "other").write(List.of(twoLines), 40);
            assertThat(dump(db.dataSource())).filteredOn(row -> !row.startsWith("checkpoint")).isEqualTo(
                    after.stream().filter(row -> !row.startsWith("checkpoint")).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void singleSkuReservationsGetTheSaleOfTheirSku(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO sale (sale_id, sku, units, status, starts_at, ends_at, created_at, updated_at)"
                        + " VALUES ('phone-launch', 'phone', 10, 'active', 0, 99999999, 0, 0)");
            }
            BatchWriter writer = new BatchWriter(db.dataSource(), "shard-0");
            writer.write(FIRST, 6);
            assertThat(sales(db.dataSource())).as("order-2 spans phone and case: no one sale")
                    .containsExactly("order-1 phone-launch", "order-2 null");

            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM sale"); // gone before the next batch: the rows keep their sale
            }
            writer.write(SECOND, 10);
            assertThat(sales(db.dataSource())).containsExactly("order-1 phone-launch", "order-2 null");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void linesBeyondOneStatementsPlaceholdersGoInSeveral(TestDatabase.Kind kind) throws Exception {
        try (TestDatabase db = TestDatabase.create(kind)) {
            List<FeedRow> rows = new ArrayList<>();
            List<Line> fiveSkus = List.of(new Line("a", 1), new Line("b", 1), new Line("c", 1), new Line("d", 1), new Line("e", 1));
            for (int i = 1; i <= 3000; i++) {
                rows.add(new ReservationRow(i, "all-" + i, "reserved", null, i, 0, i, fiveSkus));
            }
            BatchWriter.WriteResult r = new BatchWriter(db.dataSource(), "shard-0").write(rows, 3000);
            assertThat(r.statements()).as("checkpoint lock, header read, header, 15000 lines in two, checkpoint").isEqualTo(6);
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*), MIN(line_no), MAX(line_no) FROM reservation_line")) {
                rs.next();
                assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3))).containsExactly(15_000L, 1L, 5L);
            }
        }
    }

    private static List<String> sales(DataSource ds) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT request_id, sale_id FROM reservation ORDER BY request_id")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return out;
    }

    static List<String> dump(DataSource ds) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT sku, total, available, reserved, sold, store_seq FROM sku_inventory ORDER BY sku")) {
                while (rs.next()) {
                    out.add("sku " + rs.getString(1) + " " + rs.getLong(2) + " " + rs.getLong(3) + " " + rs.getLong(4) + " " + rs.getLong(5) + " seq=" + rs.getLong(6));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT request_id, status, user_id, quantity, line_count, store_seq FROM reservation ORDER BY request_id")) {
                while (rs.next()) {
                    out.add("reservation " + rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getLong(4) + " lines=" + rs.getInt(5) + " seq=" + rs.getLong(6));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT request_id, line_no, sku, quantity, store_seq FROM reservation_line ORDER BY request_id, line_no")) {
                while (rs.next()) {
                    out.add("line " + rs.getString(1) + " " + rs.getInt(2) + " " + rs.getString(3) + " " + rs.getLong(4) + " seq=" + rs.getLong(5));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT request_id, line_no, store_seq FROM reservation_multi_line ORDER BY request_id, line_no")) {
                while (rs.next()) {
                    out.add("line row " + rs.getString(1) + " " + rs.getInt(2) + " seq=" + rs.getLong(3));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT shard, applied_seq FROM sync_checkpoint ORDER BY shard")) {
                while (rs.next()) {
                    out.add("checkpoint " + rs.getString(1) + " " + rs.getLong(2));
                }
            }
        }
        return out;
    }
}
