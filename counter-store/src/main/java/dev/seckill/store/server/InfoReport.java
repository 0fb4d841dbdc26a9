package dev.seckill.store.server;

import dev.seckill.store.inventory.Reject;
import dev.seckill.store.pipeline.CommandPipeline;
import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.replication.ShardStateMachine;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/** The text of INFO, in Redis's {@code # Section} / {@code key:value} form, with real figures. */
final class InfoReport {
    private static final String[] DEFAULT = {"server", "clients", "stats", "persistence", "replication", "inventory"};

    private InfoReport() {
    }

    static String render(StoreNode node, String section) {
        String s = section.toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(2048);
        for (String name : DEFAULT) {
            if (s.equals("default") || s.equals("all") || s.equals("everything") || s.equals(name)) {
                if (out.length() > 0) {
                    out.append("\r\n");
                }
                section(node, name, out);
            }
        }
        return out.toString();
    }

    private static void section(StoreNode node, String name, StringBuilder out) {
        ShardGroup group = node.group();
        ShardStateMachine sm = group.stateMachine();
        ShardStateMachine.ShardStats st = sm.stats();
        CommandPipeline pipeline = node.pipeline();
        ClientStats clients = node.clients();
        switch (name) {
            case "server" -> {
                header(out, "Server");
                line(out, "redis_version", "7.2.0"); // what clients check features against
                line(out, "counter_store_version", StoreNode.VERSION);
                line(out, "redis_mode", "standalone");
                line(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
                line(out, "process_id", ProcessHandle.current().pid());
                line(out, "tcp_port", node.port());
                line(out, "node_id", group.nodeId());
                line(out, "uptime_in_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
                line(out, "java_version", System.getProperty("java.version"));
            }
            case "clients" -> {
                header(out, "Clients");
                line(out, "connected_clients", clients.connected());
                line(out, "requirepass", node.password() == null ? "no" : "yes");
            }
            case "stats" -> {
                header(out, "Stats");
                line(out, "total_connections_received", clients.totalConnections());
                line(out, "total_commands_processed", clients.commands());
                line(out, "rejected_bad_input", clients.rejectedInputs());
                line(out, "log_entries_submitted", pipeline.entries());
                line(out, "log_commands_submitted", pipeline.commands());
                long entries = pipeline.entries();
                line(out, "commands_per_entry", entries == 0 ? "0.00"
                        : String.format(Locale.ROOT, "%.2f", (double) pipeline.commands() / entries));
                line(out, "entries_in_flight", pipeline.entriesInFlight());
                line(out, "reservations_made", st.reserved());
                line(out, "reservations_confirmed", st.confirmed());
                line(out, "reservations_cancelled", st.cancelled());
                line(out, "reservations_expired", st.expired());
                for (Reject r : Reject.values()) {
                    line(out, "rejects_" + r.name().toLowerCase(Locale.ROOT), st.rejects(r));
                }
            }
            case "persistence" -> {
                header(out, "Persistence");
                line(out, "durability", "raft log, fsync before reply");
                line(out, "data_dir", node.dataDir());
                line(out, "log_applied_index", st.appliedIndex());
                line(out, "log_commit_index", group.commitIndex());
                line(out, "log_start_index", group.logStartIndex());
                line(out, "log_entries_refused", sm.refusedEntries());
                line(out, "log_entries_skipped", sm.skippedEntries());
                long snapIndex = sm.lastSnapshotIndex();
                line(out, "last_snapshot_index", snapIndex);
                line(out, "last_snapshot_age_seconds", snapIndex < 0 ? -1
                        : (System.currentTimeMillis() - sm.lastSnapshotMillis()) / 1000);
            }
            case "replication" -> {
                header(out, "Replication");
                line(out, "role", group.isLeader() ? "master" : "slave");
                line(out, "raft_role", group.role());
                line(out, "raft_leader", group.leaderId());
                line(out, "raft_term", group.term());
                line(out, "raft_group_size", group.groupSize());
                line(out, "raft_address", group.raftAddress());
                line(out, "raft_security", group.raftSecurity());
                line(out, "raft_calls_refused", group.raftCallsRefused());
            }
            case "inventory" -> {
                header(out, "Inventory");
                line(out, "skus", st.skus());
                line(out, "counters", st.counters());
                line(out, "pending_reservations", st.pendingReservations());
                line(out, "expiring_reservations", st.expiringReservations());
                line(out, "remembered_request_ids", st.rememberedRequestIds());
                line(out, "feed_rows_unacknowledged", st.feedRows());
                line(out, "feed_last_seq", st.feedLastSeq());
                line(out, "feed_acked_seq", st.feedAckedSeq());
                line(out, "request_id_retention_seconds", node.bookSettings().requestIdRetentionMs() / 1000);
                line(out, "request_id_max_finished", node.bookSettings().maxFinishedRequestIds());
            }
            default -> { }
        }
    }

    private static void header(StringBuilder out, String title) {
        out.append("# ").append(title).append("\r\n");
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(':').append(value).append("\r\n");
    }
}
