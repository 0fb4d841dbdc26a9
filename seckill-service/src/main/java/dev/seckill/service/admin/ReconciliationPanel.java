package dev.seckill.service.admin;

import dev.seckill.service.api.ApiException;
import dev.seckill.sync.feed.StoreClient;
import dev.seckill.sync.reconcile.ReconcileOptions;
import dev.seckill.sync.reconcile.Reconciler;
import dev.seckill.sync.reconcile.ReconciliationReport;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The dashboard's reconciliation box: the last run as {@code reconciliation_run} records it
 * (runs of the {@code inventory-sync reconcile} CLI show up too), and a button that runs one now.
 *
 * <p>A run from the dashboard only reports (no repair): repairing rewrites one side from the
 * other, a decision for an operator at the CLI who has read the differences. One run at a time.
 */
public final class ReconciliationPanel {

    private final String storeUri;
    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final String shard;
    private final AtomicBoolean running = new AtomicBoolean();

    /**
     * @param storeUri the store the sync reads, {@code redis://host:port} or its nodes {@code redis://a:7001,b:7002,...}
     * @param shard    the sync's shard, whose checkpoint tells sync lag from drift
     */
    public ReconciliationPanel(String storeUri, DataSource dataSource, String shard) {
        this.storeUri = storeUri;
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.shard = shard;
    }

    private static final String COLUMNS = """
            SELECT run_id, started_at, finished_at, repair_mode, result, skus_checked,
                   reservations_checked, drift_found, repairs, detail
            FROM reconciliation_run""";

    /** The newest run, or null if none ever ran. */
    public Run last() {
        List<Run> runs = jdbc.query(COLUMNS + " ORDER BY run_id DESC LIMIT 1", (rs, i) -> run(rs));
        return runs.isEmpty() ? null : runs.get(0);
    }

    private Run byId(long runId) {
        return jdbc.queryForObject(COLUMNS + " WHERE run_id = ?", (rs, i) -> run(rs), runId);
    }

    public boolean running() {
        return running.get();
    }

    /**
     * Compares the store with the database now and records the run.
     *
     * @throws ApiException 409 RECONCILIATION_RUNNING when one is already running, 503 UNAVAILABLE
     *                      when the store or the database does not answer
     */
    public Run runNow() {
        if (!running.compareAndSet(false, true)) {
            throw ApiException.conflict("RECONCILIATION_RUNNING", "a reconciliation is running; wait for its result");
        }
        try (StoreClient store = StoreClient.connect(storeUri)) {
            ReconciliationReport r = new Reconciler(store, dataSource, shard).run(ReconcileOptions.all());
            Run recorded = byId(r.runId());
            return new Run(recorded.runId(), recorded.startedAt(), recorded.finishedAt(), recorded.repairMode(),
                    recorded.result(), recorded.skusChecked(), recorded.reservationsChecked(), recorded.driftFound(),
                    recorded.repairs(), r.differences().size(), recorded.detail());
        } catch (SQLException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE",
                    "the reconciliation could not run: " + e.getMessage(), 5L, Map.of());
        } finally {
            running.set(false);
        }
    }

    private static Run run(ResultSet rs) throws SQLException {
        long finished = rs.getLong("finished_at");
        boolean hasFinished = !rs.wasNull();
        return new Run(rs.getLong("run_id"), Instant.ofEpochMilli(rs.getLong("started_at")),
                hasFinished ? Instant.ofEpochMilli(finished) : null, rs.getString("repair_mode"),
                rs.getString("result"), rs.getLong("skus_checked"), rs.getLong("reservations_checked"),
                rs.getLong("drift_found"), rs.getLong("repairs"), null, rs.getString("detail"));
    }

    /**
     * One reconciliation run.
     *
     * @param result      running, consistent, drift, repaired or failed
     * @param differences differences found, sync lag included (known only for a run made here)
     * @param detail      what differed, in short text
     */
    public record Run(long runId, Instant startedAt, Instant finishedAt, String repairMode, String result,
                      long skusChecked, long reservationsChecked, long driftFound, long repairs,
                      Integer differences, String detail) {
    }
}
