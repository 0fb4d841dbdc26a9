package dev.seckill.perf;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.sync.feed.FeedRow;
import dev.seckill.sync.feed.ReservationRow;
import dev.seckill.sync.feed.SkuRow;
import dev.seckill.sync.rds.BatchWriter;
import dev.seckill.sync.rds.RdsSchema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What MariaDB spends to write one change-feed batch, without the store: {@code --batches} batches
 * of {@code --rows} new single-SKU reservations (a user, a 15-minute TTL, over {@code --skus} SKUs)
 * plus the SKU rows, and {@code --confirm} of each batch's reservations confirmed in the next batch,
 * written through {@link BatchWriter} to a database of its own on one connection.
 *
 * <p>Measured per reservation after {@code --warmup} batches: the wall time of {@code write}; the
 * CPU time of the MariaDB thread serving the connection ({@code /proc/<mariadbd>/task/<tid>/stat},
 * a thread per connection: load on the box makes it wait, not spend); the server's own time per
 * statement ({@code SHOW PROFILES}); InnoDB handler calls ({@code SHOW SESSION STATUS}). Needs
 * the MariaDB at 127.0.0.1:3306 (root, no password) on this machine and the right to read its /proc.
 *
 * <pre>java -cp perf/target/benchmarks.jar dev.seckill.perf.RdsWriteBench [--batches 40] [--warmup 5] [--rows 4000]
 *      [--skus 1000] [--confirm 0.5] [--db h_rds_bench] [--url-options useBulkStmts=true]</pre>
 */
public final class RdsWriteBench {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private static final boolean DETAIL = Boolean.getBoolean("detail");
    private long lastQueryId;
    private final Map<Long, String> shapes = new java.util.HashMap<>();

    public static void main(String[] args) throws Exception {
        int batches = Integer.parseInt(arg(args, "--batches", "40"));
        int warmup = Integer.parseInt(arg(args, "--warmup", "5"));
        int rows = Integer.parseInt(arg(args, "--rows", "4000"));
        int skus = Integer.parseInt(arg(args, "--skus", "1000"));
        double confirm = Double.parseDouble(arg(args, "--confirm", "0.5"));
        String db = arg(args, "--db", "h_rds_bench");
        String options = arg(args, "--url-options", "");
        if (!db.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("--db: lower-case letters, digits and _ only: " + db);
        }
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", ""); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db);
            s.execute("CREATE DATABASE " + db);
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl("jdbc:mariadb://127.0.0.1:3306/" + db + (options.isEmpty() ? "" : "?" + options));
        cfg.setUsername("root");
        cfg.setPassword("");
        cfg.setMaximumPoolSize(1); // one connection, so one server thread does all the work we measure
        cfg.setConnectionInitSql("SET profiling = 1, profiling_history_size = 100");
        try (HikariDataSource ds = new HikariDataSource(cfg)) {
            RdsSchema.migrate(ds);
            String extra = System.getProperty("schema.sql", ""); // exploration only: statements run after the migrations
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                for (String sql : extra.split(";")) {
                    if (!sql.isBlank()) {
                        s.execute(sql);
                    }
                }
            }
            new RdsWriteBench().run(ds, batches, warmup, rows, skus, confirm);
        } finally {
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", ""); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + db);
            }
        }
    }

    private void run(HikariDataSource ds, int batches, int warmup, int rows, int skuCount, double confirm) throws Exception {
        BatchWriter writer = new BatchWriter(ds, "shard-0");
        writer.ensureCheckpoint();
        Path serverThread = serverThreadStat(ds);
        long seq = 0;
        long requestNo = 0;
        long[] stock = new long[skuCount];
        List<ReservationRow> toConfirm = new ArrayList<>();
        long wallNs = 0;
        long cpuTicks = 0;
        long reservations = 0;
        Map<String, Long> handlers = new TreeMap<>();
        Map<String, double[]> perStatement = new LinkedHashMap<>();
        for (int b = 0; b < batches; b++) {
            List<FeedRow> batch = new ArrayList<>(rows * 2 + skuCount);
            long now = 1_800_000_000_000L + b * 100L;
            List<ReservationRow> confirmedNow = new ArrayList<>();
            for (ReservationRow r : toConfirm) {
                confirmedNow.add(new ReservationRow(++seq, r.requestId(), "confirmed", r.user(), r.createdAt(), r.expiresAt(), now, r.lines()));
            }
            batch.addAll(confirmedNow);
            toConfirm.clear();
            for (int i = 0; i < rows; i++) {
                long n = requestNo++;
                int sku = (int) (n % skuCount);
                stock[sku]++;
                ReservationRow r = new ReservationRow(++seq, "req-" + Long.toString(n * 2_654_435_761L % 1_000_000_007L, 36) + "-" + n,
                        "reserved", "user-" + (n * 7919 % 1_000_003), now, now + 900_000, now,
                        List.of(new ReservationRow.Line("sku-" + sku, 1)));
                batch.add(r);
                if (i < rows * confirm) {
                    toConfirm.add(r);
                }
            }
            for (int s = 0; s < skuCount; s++) {
                batch.add(new SkuRow(++seq, "sku-" + s, 1_000_000_000L, 1_000_000_000L - stock[s], stock[s], 0));
            }
            Map<String, Long> h0 = sessionHandlers(ds);
            long cpu0 = ticks(serverThread);
            long t0 = System.nanoTime();
            writer.write(batch, seq);
            long t1 = System.nanoTime();
            long cpu1 = ticks(serverThread);
            Map<String, Long> h1 = sessionHandlers(ds);
            Map<String, Double> profile = profiles(ds);
            if (b >= warmup) {
                wallNs += t1 - t0;
                cpuTicks += cpu1 - cpu0;
                reservations += rows + confirmedNow.size();
                h1.forEach((k, v) -> handlers.merge(k, v - h0.getOrDefault(k, 0L), Long::sum));
                profile.forEach((k, v) -> perStatement.computeIfAbsent(k, x -> new double[2])[0] += v);
                profile.forEach((k, v) -> perStatement.get(k)[1]++);
            }
        }
        int measured = batches - warmup;
        System.out.printf("%d batches measured (%d reservation rows each: %d new, %.0f%% of them confirmed in the next batch; + %d SKU rows)%n",
                measured, reservations / measured, rows, confirm * 100, skuCount);
        System.out.printf("per reservation row: wall %.1f us, MariaDB thread CPU %.1f us; per batch: wall %.1f ms, MariaDB CPU %.1f ms%n",
                wallNs / 1e3 / reservations, cpuTicks * 1e6 / TICKS_PER_SECOND / reservations,
                wallNs / 1e6 / measured, cpuTicks * 1e3 / TICKS_PER_SECOND / measured);
        System.out.println("server time per batch, by statement (SHOW PROFILES):");
        perStatement.forEach((k, v) -> System.out.printf("  %8.1f ms  x%.1f  %s%n", v[0] * 1e3 / measured, v[1] / measured, k));
        System.out.println("handler calls per reservation row (SHOW SESSION STATUS):");
        for (Map.Entry<String, Long> e : handlers.entrySet()) {
            if (e.getValue() != 0) {
                System.out.printf("  %-32s %.2f%n", e.getKey(), (double) e.getValue() / reservations);
            }
        }
    }

    /** /proc of the MariaDB thread serving the pool's one connection. */
    private static Path serverThreadStat(HikariDataSource ds) throws Exception {
        long pid = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/mariadbd") || c.endsWith("/mysqld")).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no mariadbd process on this machine")).pid();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT TID FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()")) {
            rs.next();
            return Path.of("/proc/" + pid + "/task/" + rs.getLong(1) + "/stat");
        }
    }

    /** utime + stime of a thread, in clock ticks. */
    private static long ticks(Path stat) throws Exception {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static Map<String, Long> sessionHandlers(HikariDataSource ds) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SESSION STATUS WHERE Variable_name LIKE 'Handler%' OR Variable_name LIKE 'Innodb_rows%'")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** Seconds per statement shape since the last call (statements with a greater query id than seen so far). */
    private Map<String, Double> profiles(HikariDataSource ds) throws SQLException {
        Map<String, Double> out = new LinkedHashMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW PROFILES")) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    if (id <= lastQueryId) {
                        continue;
                    }
                    lastQueryId = id;
                    String q = rs.getString(3).replaceAll("\\s+", " ");
                    if (q.startsWith("SHOW ") || q.contains("PROCESSLIST") || q.startsWith("SET profiling")) {
                        continue;
                    }
                    String shape = q.length() > 70 ? q.substring(0, 70) : q;
                    out.merge(shape, rs.getDouble(2), Double::sum);
                    shapes.put(id, shape);
                }
            }
            // CPU per statement as the server's profiler counts it (getrusage of the thread)
            try (ResultSet rs = s.executeQuery("SELECT QUERY_ID, STATE, SUM(CPU_USER + CPU_SYSTEM) FROM information_schema.PROFILING GROUP BY QUERY_ID, STATE")) {
                while (rs.next()) {
                    String shape = shapes.get(rs.getLong(1));
                    if (shape != null) {
                        out.merge("cpu " + shape, rs.getDouble(3), Double::sum);
                        if (DETAIL) {
                            out.merge("cpu " + shape + " | " + rs.getString(2), rs.getDouble(3), Double::sum);
                        }
                    }
                }
            }
            shapes.clear();
        }
        return out;
    }

    private static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }
}
