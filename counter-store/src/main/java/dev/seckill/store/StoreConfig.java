package dev.seckill.store;

import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.pipeline.CommandPipeline;
import dev.seckill.store.protocol.ProtocolLimits;
import dev.seckill.store.replication.ShardGroup;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a counter-store node is started with. The command line and the embedded use in the
 * HTTP service both build one of these; {@link #defaults()} is the documented default.
 *
 * @param port        RESP port (0 picks a free one)
 * @param bindHost    the address the RESP port listens on
 * @param dataDir     where the Raft log and snapshots live
 * @param nodeId      this node's id in its Raft group
 * @param peers       the group's members; empty for a group of one
 * @param raftPort    Raft port of a group of one (0: a free one)
 * @param requirePass the password clients must AUTH with, or null
 * @param tickMillis  how often the leader looks whether a pending reservation's TTL has run out
 *                    (and if so stamps its clock into the log)
 */
public record StoreConfig(int port, String bindHost, Path dataDir, String nodeId, List<ShardGroup.Peer> peers,
                          int raftPort, String requirePass, ProtocolLimits limits, BookSettings book,
                          CommandPipeline.Settings pipeline, long snapshotEvery, long tickMillis) {

    public static final int DEFAULT_PORT = 6380;

    public static StoreConfig defaults() {
        return new StoreConfig(DEFAULT_PORT, "0.0.0.0", Path.of("data", "counter-store"), "n1", List.of(), 0, null,
                ProtocolLimits.defaults(), BookSettings.defaults(), CommandPipeline.Settings.defaults(), 100_000, 100);
    }

    public StoreConfig withPort(int port) {
        return new StoreConfig(port, bindHost, dataDir, nodeId, peers, raftPort, requirePass, limits, book, pipeline,
                snapshotEvery, tickMillis);
    }

    public StoreConfig withDataDir(Path dir) {
        return new StoreConfig(port, bindHost, dir, nodeId, peers, raftPort, requirePass, limits, book, pipeline,
                snapshotEvery, tickMillis);
    }

    public StoreConfig withRequirePass(String password) {
        return new StoreConfig(port, bindHost, dataDir, nodeId, peers, raftPort, password, limits, book, pipeline,
                snapshotEvery, tickMillis);
    }

    public StoreConfig withGroup(String id, List<ShardGroup.Peer> members) {
        return new StoreConfig(port, bindHost, dataDir, id, members, raftPort, requirePass, limits, book, pipeline,
                snapshotEvery, tickMillis);
    }

    public StoreConfig withSnapshotEvery(long entries) {
        return new StoreConfig(port, bindHost, dataDir, nodeId, peers, raftPort, requirePass, limits, book, pipeline,
                entries, tickMillis);
    }

    public StoreConfig withLimits(ProtocolLimits protocolLimits) {
        return new StoreConfig(port, bindHost, dataDir, nodeId, peers, raftPort, requirePass, protocolLimits, book,
                pipeline, snapshotEvery, tickMillis);
    }

    public StoreConfig withBook(BookSettings settings) {
        return new StoreConfig(port, bindHost, dataDir, nodeId, peers, raftPort, requirePass, limits, settings,
                pipeline, snapshotEvery, tickMillis);
    }
}
