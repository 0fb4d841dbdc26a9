package dev.seckill.store;

import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.pipeline.CommandPipeline;
import dev.seckill.store.protocol.ProtocolLimits;
import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.tls.RaftTls;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything a counter-store node is started with. The command line and the embedded use in the
 * HTTP service both build one of these; {@link #defaults()} is the documented default, and
 * {@link #toBuilder()} (or a {@code withX} shortcut) changes one setting at a time.
 */
public final class StoreConfig {
    public static final int DEFAULT_PORT = 6380;

    private final int port;
    private final String bindHost;
    private final Path dataDir;
    private final String nodeId;
    private final List<ShardGroup.Peer> peers;
    private final int raftPort;
    private final String raftBind;
    private final RaftTls raftTls;
    private final boolean raftInsecurePlaintext;
    private final String requirePass;
    private final ProtocolLimits limits;
    private final BookSettings book;
    private final CommandPipeline.Settings pipeline;
    private final long snapshotEvery;
    private final long tickMillis;

    private StoreConfig(Builder b) {
        this.port = b.port;
        this.bindHost = Objects.requireNonNull(b.bindHost, "bindHost");
        this.dataDir = Objects.requireNonNull(b.dataDir, "dataDir");
        this.nodeId = Objects.requireNonNull(b.nodeId, "nodeId");
        this.peers = List.copyOf(b.peers);
        this.raftPort = b.raftPort;
        this.raftBind = b.raftBind;
        this.raftTls = b.raftTls;
        this.raftInsecurePlaintext = b.raftInsecurePlaintext;
        this.requirePass = b.requirePass;
        this.limits = Objects.requireNonNull(b.limits, "limits");
        this.book = Objects.requireNonNull(b.book, "book");
        this.pipeline = Objects.requireNonNull(b.pipeline, "pipeline");
        this.snapshotEvery = b.snapshotEvery;
        this.tickMillis = b.tickMillis;
    }

    public static StoreConfig defaults() {
        return new Builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration, to change some of it. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** RESP port (0 picks a free one). */
    public int port() {
        return port;
    }

    /** The address the RESP port listens on. */
    public String bindHost() {
        return bindHost;
    }

    /** Where the Raft log and snapshots live. */
    public Path dataDir() {
        return dataDir;
    }

    /** This node's id in its Raft group. */
    public String nodeId() {
        return nodeId;
    }

    /** The group's members; empty for a group of one. */
    public List<ShardGroup.Peer> peers() {
        return peers;
    }

    /** Raft port of a group of one (0: a free one). */
    public int raftPort() {
        return raftPort;
    }

    /**
     * The address a member's Raft port listens on, or null for its own host in {@link #peers()}.
     * A group of one listens on 127.0.0.1 (and takes no calls).
     */
    public String raftBind() {
        return raftBind;
    }

    /** A member's TLS material for its Raft port (mutual TLS), or null. */
    public RaftTls raftTls() {
        return raftTls;
    }

    /** A member without {@link #raftTls()} starts only with this: its Raft port then admits anyone. */
    public boolean raftInsecurePlaintext() {
        return raftInsecurePlaintext;
    }

    /** The password clients must AUTH with, or null. */
    public String requirePass() {
        return requirePass;
    }

    public ProtocolLimits limits() {
        return limits;
    }

    public BookSettings book() {
        return book;
    }

    public CommandPipeline.Settings pipeline() {
        return pipeline;
    }

    /** Take a snapshot after this many log entries. */
    public long snapshotEvery() {
        return snapshotEvery;
    }

    /**
     * How often the leader looks whether a pending reservation's TTL has run out (and if so stamps
     * its clock into the log).
     */
    public long tickMillis() {
        return tickMillis;
    }

    public StoreConfig withPort(int port) {
        return toBuilder().port(port).build();
    }

    public StoreConfig withDataDir(Path dir) {
        return toBuilder().dataDir(dir).build();
    }

    public StoreConfig withRequirePass(String password) {
        return toBuilder().requirePass(password).build();
    }

    /** A member of a group of more than one, its Raft port on mutual TLS with {@code tls}. */
    public StoreConfig withGroup(String id, List<ShardGroup.Peer> members, RaftTls tls) {
        return toBuilder().nodeId(id).peers(members).raftTls(tls).build();
    }

    public StoreConfig withSnapshotEvery(long entries) {
        return toBuilder().snapshotEvery(entries).build();
    }

    public StoreConfig withLimits(ProtocolLimits protocolLimits) {
        return toBuilder().limits(protocolLimits).build();
    }

    public StoreConfig withBook(BookSettings settings) {
        return toBuilder().book(settings).build();
    }

    /** Builds a {@link StoreConfig}; starts from the documented defaults. */
    public static final class Builder {
        private int port = DEFAULT_PORT;
        private String bindHost = "0.0.0.0";
        private Path dataDir = Path.of("data", "counter-store");
        private String nodeId = "n1";
        private List<ShardGroup.Peer> peers = List.of();
        private int raftPort;
        private String raftBind;
        private RaftTls raftTls;
        private boolean raftInsecurePlaintext;
        private String requirePass;
        private ProtocolLimits limits = ProtocolLimits.defaults();
        private BookSettings book = BookSettings.defaults();
        private CommandPipeline.Settings pipeline = CommandPipeline.Settings.defaults();
        private long snapshotEvery = 100_000;
        private long tickMillis = 100;

        private Builder() {
        }

        private Builder(StoreConfig c) {
            port = c.port;
            bindHost = c.bindHost;
            dataDir = c.dataDir;
            nodeId = c.nodeId;
            peers = c.peers;
            raftPort = c.raftPort;
            raftBind = c.raftBind;
            raftTls = c.raftTls;
            raftInsecurePlaintext = c.raftInsecurePlaintext;
            requirePass = c.requirePass;
            limits = c.limits;
            book = c.book;
            pipeline = c.pipeline;
            snapshotEvery = c.snapshotEvery;
            tickMillis = c.tickMillis;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder bindHost(String v) {
            bindHost = v;
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        public Builder nodeId(String v) {
            nodeId = v;
            return this;
        }

        public Builder peers(List<ShardGroup.Peer> v) {
            peers = v;
            return this;
        }

        public Builder raftPort(int v) {
            raftPort = v;
            return this;
        }

        public Builder raftBind(String v) {
            raftBind = v;
            return this;
        }

        public Builder raftTls(RaftTls v) {
            raftTls = v;
            return this;
        }

        public Builder raftInsecurePlaintext(boolean v) {
            raftInsecurePlaintext = v;
            return this;
        }

        public Builder requirePass(String v) {
            requirePass = v;
            return this;
        }

        public Builder limits(ProtocolLimits v) {
            limits = v;
            return this;
        }

        public Builder book(BookSettings v) {
            book = v;
            return this;
        }

        public Builder pipeline(CommandPipeline.Settings v) {
            pipeline = v;
            return this;
        }

        public Builder snapshotEvery(long v) {
            snapshotEvery = v;
            return this;
        }

        public Builder tickMillis(long v) {
            tickMillis = v;
            return this;
        }

        public StoreConfig build() {
            return new StoreConfig(this);
        }
    }
}
