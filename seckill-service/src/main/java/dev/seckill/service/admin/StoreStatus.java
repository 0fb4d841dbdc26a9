package dev.seckill.service.admin;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * What the dashboard shows of the counter-store: which node the service talks to, that node's
 * Raft role and the leader, how far its log is applied, and how many changes wait in its feed
 * for the sync. Read from that node's {@code INFO}.
 *
 * @param up            the store answered
 * @param node          {@code redis://host:port} of the node the service talks to (the one that
 *                      answered, or when down the one it will try first)
 * @param role          this node's Raft role as the store names it (leader, follower, candidate)
 * @param leader        the leader's node id, or "none" during an election
 * @param feedBacklog   change-feed rows the sync has not acknowledged yet
 * @param error         why the store did not answer, when {@code up} is false
 * @param readAt        when this was read
 */
public record StoreStatus(boolean up, String node, String role, String leader, Long term, Long groupSize,
                          Long appliedIndex, Long commitIndex, Long snapshotIndex,
                          Long feedBacklog, Long feedLastSeq, Long feedAckedSeq,
                          String error, Instant readAt) {

    /** From the key/value lines of {@code INFO default}; a missing or odd figure stays null. */
    public static StoreStatus fromInfo(Map<String, String> info, String node, Instant readAt) {
        return new StoreStatus(true, node,
                info.getOrDefault("raft_role", info.getOrDefault("role", "unknown")).toLowerCase(Locale.ROOT),
                leader(info.get("raft_leader")),
                number(info, "raft_term"),
                number(info, "raft_group_size"),
                number(info, "log_applied_index"),
                number(info, "log_commit_index"),
                number(info, "last_snapshot_index"),
                number(info, "feed_rows_unacknowledged"),
                number(info, "feed_last_seq"),
                number(info, "feed_acked_seq"),
                null, readAt);
    }

    public static StoreStatus down(String error, String node, Instant readAt) {
        return new StoreStatus(false, node, null, null, null, null, null, null, null, null, null, null, error, readAt);
    }

    private static String leader(String id) {
        return id == null || id.isBlank() ? "none" : id.trim();
    }

    private static Long number(Map<String, String> info, String key) {
        String v = info.get(key);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
