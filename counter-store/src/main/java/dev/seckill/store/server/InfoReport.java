package dev.seckill.store.server;

import dev.seckill.store.inventory.Reject;
import dev.seckill.store.pipeline.CommandPipeline;
import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.replication.ShardStateMachine;
import dev.seckill.store.replication.SnapshotAlarm;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The text of INFO, in Redis's {@code # Section} / {@code key:value} form, with real figures: the
 * fields tools read (redis-cli --stat: keys, used_memory, connected_clients, blocked_clients,
 * total_commands_processed, total_connections_received, loading, bgsave_in_progress,
 * aof_rewrite_in_progress) where Redis has them, and this store's own.
 */
final class InfoReport {
    private static final String[] SECTIONS = {"server", "clients", "memory", "persistence", "stats", "replication",
        "cpu", "cluster", "keyspace", "inventory"};

    private InfoReport() {
    }

    static String render(StoreNode node, String section) {
        return render(node, List.of(section.toLowerCase(Locale.ROOT)));
    }

    /** The sections asked (lower case), in the server's order; "default", "all" and "everything" mean all. */
    static String render(StoreNode node, List<String> asked) {
        boolean all = asked.contains("default") || asked.contains("all") || asked.contains("everything");
        StringBuilder out = new StringBuilder(2048);
        for (String name : SECTIONS) {
            if (all || asked.contains(name)) {
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
                line(out, "redis_version", StoreNode.REDIS_VERSION); // what clients check features against
                line(out, "counter_store_version", StoreNode.VERSION);
                line(out, "redis_mode", "standalone");
                line(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
                line(out, "arch_bits", System.getProperty("sun.arch.data.model", "64"));
                line(out, "process_id", ProcessHandle.current().pid());
                line(out, "tcp_port", node.port());
                line(out, "node_id", group.nodeId());
                long uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
                line(out, "uptime_in_seconds", uptime);
                line(out, "uptime_in_days", uptime / 86_400);
                line(out, "java_version", System.getProperty("java.version"));
            }
            case "clients" -> {
                header(out, "Clients");
                line(out, "connected_clients", clients.connected());
                line(out, "blocked_clients", 0); // no command blocks here
                line(out, "requirepass", node.password() == null ? "no" : "yes");
            }
            case "memory" -> {
                header(out, "Memory");
                Runtime rt = Runtime.getRuntime();
                long used = rt.totalMemory() - rt.freeMemory();
                line(out, "used_memory", used);
                line(out, "used_memory_human", human(used));
                line(out, "maxmemory", rt.maxMemory());
                line(out, "maxmemory_human", human(rt.maxMemory()));
                line(out, "maxmemory_policy", "noeviction");
                line(out, "mem_allocator", "jvm");
            }
            case "cpu" -> {
                header(out, "CPU");
                double[] cpu = processCpuSeconds();
                line(out, "used_cpu_sys", String.format(Locale.ROOT, "%.6f", cpu[0]));
                line(out, "used_cpu_user", String.format(Locale.ROOT, "%.6f", cpu[1]));
                line(out, "used_cpu_sys_children", "0.000000"); // no child processes here (Redis forks to save)
                line(out, "used_cpu_user_children", "0.000000");
            }
            case "cluster" -> {
                header(out, "Cluster");
                line(out, "cluster_enabled", 0);
            }
            case "keyspace" -> {
                header(out, "Keyspace");
                if (st.counters() > 0) { // as Redis: an empty database is not listed
                    line(out, "db0", "keys=" + st.counters() + ",expires=0,avg_ttl=0");
                }
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
                line(out, "loading", 0);
                line(out, "bgsave_in_progress", 0);
                line(out, "aof_enabled", 0);
                line(out, "aof_rewrite_in_progress", 0);
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
                line(out, "snapshot_in_progress", sm.snapshotInProgress() ? 1 : 0);
                SnapshotAlarm alarm = sm.snapshotAlarm();
                line(out, "snapshot_status", alarm.failing() ? "failing" : "ok");
                line(out, "snapshot_failures", alarm.failures());
                line(out, "snapshot_failures_total", alarm.failuresTotal());
                line(out, "snapshot_failing_since", alarm.failingSinceMillis() / 1000);
                line(out, "snapshot_last_error", alarm.lastError());
            }
            case "replication" -> {
                header(out, "Replication");
                line(out, "role", group.isLeader() ? "master" : "slave");
                line(out, "master_repl_offset", st.appliedIndex()); // the position in the replicated log
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

    /** Redis's human form of a byte count: 1.50M. */
    static String human(long bytes) {
        String[] units = {"B", "K", "M", "G", "T"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }

    /** The process's system and user CPU seconds (from /proc on Linux; all counted as user elsewhere). */
    private static double[] processCpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double tick = 100.0; // USER_HZ on Linux
            return new double[] {Long.parseLong(f[12]) / tick, Long.parseLong(f[11]) / tick};
        } catch (IOException | RuntimeException e) {
            java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            long nanos = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
            return new double[] {0, Math.max(0, nanos) / 1e9};
        }
    }

    private static void header(StringBuilder out, String title) {
        out.append("# ").append(title).append("\r\n");
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(':').append(value).append("\r\n");
    }
}
