package dev.seckill.sync.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.List;

/**
 * What a reconciliation found. {@link #consistent()} is true when no drift is left (differences
 * that are only sync lag do not count, nor drift this run repaired).
 *
 * @param runId        the {@code reconciliation_run} row
 * @param result       {@code consistent}, {@code drift} or {@code repaired}, as in that row
 * @param checkpoint   the sync checkpoint differences were judged against
 * @param storeLastSeq the store's last change sequence at the time
 */
public record ReconciliationReport(long runId, String shard, String repairMode, String result, long startedAt, long finishedAt,
                                   long checkpoint, long storeLastSeq, long skusChecked, long reservationsChecked,
                                   List<Difference> differences) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ReconciliationReport {
        differences = List.copyOf(differences);
    }

    public long driftFound() {
        return differences.stream().filter(d -> d.cause() == Difference.Cause.DRIFT).count();
    }

    public long repairs() {
        return differences.stream().filter(Difference::repaired).count();
    }

    /** No drift left: none found, or all of it repaired. */
    public boolean consistent() {
        return differences.stream().noneMatch(d -> d.cause() == Difference.Cause.DRIFT && !d.repaired());
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A readable table: one line per difference, then the totals. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        if (!differences.isEmpty()) {
            sb.append(String.format("%-11s %-24s %-9s %-38s %-38s %s%n", "KIND", "ID", "CAUSE", "STORE", "RDS", "REPAIR"));
            for (Difference d : differences) {
                sb.append(String.format("%-11s %-24s %-9s %-38s %-38s %s%n", d.kind(), d.id(),
                        d.cause() == Difference.Cause.DRIFT ? "drift" : "sync-lag", d.store(), d.rds(),
                        d.repaired() ? "repaired: " + d.note() : (d.note() == null ? "-" : d.note())));
            }
        }
        sb.append(String.format("run %d: %s; %d SKUs and %d reservations checked against checkpoint %d (store at %d); "
                        + "%d differences, %d drift, %d repaired%n", runId, result, skusChecked, reservationsChecked,
                checkpoint, storeLastSeq, differences.size(), driftFound(), repairs()));
        return sb.toString();
    }
}
