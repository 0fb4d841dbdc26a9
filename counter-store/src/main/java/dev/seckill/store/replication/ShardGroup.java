package dev.seckill.store.replication;

import dev.seckill.store.pipeline.Batch;
import dev.seckill.store.pipeline.LogAppender;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.tls.RaftTls;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One Raft group (one shard) as this node takes part in it: the Ratis server, its storage under
 * the data directory, and the way batches enter its log.
 *
 * <p>Batches are submitted straight to the local Ratis server (no client, no network hop on the
 * leader). A group of one (the default) commits an entry once it is fsync'd to the local log; a
 * group of three once a majority has it on disk.
 *
 * <p>The Raft port admits only those who must use it: a group of one listens on loopback and
 * refuses every call (its entries never cross the network); a member of a larger group listens on
 * its own address and takes calls from holders of a cluster certificate only (mutual TLS), unless
 * plaintext was asked for by name.
 */
public final class ShardGroup implements LogAppender, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardGroup.class);
    /** The group every node of a one-shard deployment joins; stable across restarts. */
    static final RaftGroupId SHARD_0 =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("seckill-counter-store/shard-0".getBytes(StandardCharsets.UTF_8)));

    private final Settings settings;
    private final InFlightBatches inFlight;
    private final ShardStateMachine stateMachine;
    private final RaftPeerId selfId;
    private final RaftServer server;
    private final RaftGroup group;
    /** host:port the Raft port listens on. */
    private final String bindAddress;
    /** The TLS settings (or the closed port) of the server and of the forwarding client. */
    private final Parameters parameters;
    /** Refuses every Raft call in a group of one; null in a larger group. */
    private final ClosedRaftPort closedPort;
    /**
     * Sends entries built on a follower to the leader; null in a group of one. Replaced by a new
     * client when a forwarded entry fails for good (see {@link #replaceForwarderAfter}).
     */
    private final AtomicReference<RaftClient> forwarder;
    private volatile boolean closing;

    /** A member of the group: its id and Raft address. */
    public record Peer(String id, String host, int port) {
        public static Peer parse(String spec) {
            int eq = spec.indexOf('=');
            int colon = spec.lastIndexOf(':');
            if (eq < 1 || colon < eq + 2 || colon == spec.length() - 1) {
                throw new IllegalArgumentException("peer '" + spec + "' is not id=host:port");
            }
            int port;
            try {
                port = Integer.parseInt(spec.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("peer '" + spec + "' has no numeric port");
            }
            return new Peer(spec.substring(0, eq), spec.substring(eq + 1, colon), port);
        }

        String address() {
            return host + ":" + port;
        }
    }

    /**
     * @param peers          the group's members; empty for a group of one
     * @param raftPort       this node's Raft port for a group of one; 0 picks a free one
     * @param snapshotEvery  take a snapshot after this many log entries
     * @param raftBind       the address a member's Raft port listens on; null: this node's host in
     *                       {@code peers}. A group of one always listens on {@value #LOOPBACK}.
     * @param tls            a member's key, certificate and cluster CA (mutual TLS on the Raft port)
     * @param insecurePlaintext a member without {@code tls} starts only with this set: anyone who
     *                       reaches its Raft port can then act as a member
     */
    public record Settings(Path dataDir, String nodeId, List<Peer> peers, int raftPort, long snapshotEvery,
                           String raftBind, RaftTls tls, boolean insecurePlaintext) {}

    /** Where the Raft port of a group of one listens: nobody outside this process needs it. */
    public static final String LOOPBACK = "127.0.0.1";

    /**
     * Refuses Raft settings that would leave the port open: a member of a group of more than one
     * without TLS material (unless plaintext is asked for by name), a bind address for a group of
     * one. The command line checks with this before starting, and so does every group.
     *
     * @throws IllegalArgumentException saying what to give instead
     */
    public static void checkRaftSecurity(List<Peer> peers, String raftBind, RaftTls tls, boolean insecurePlaintext) {
        if (peers.size() <= 1) {
            if (raftBind != null) {
                throw new IllegalArgumentException("--raft-bind applies to a member of a group of more than one "
                        + "(--peers); the Raft port of a group of one listens on " + LOOPBACK + " and takes no calls");
            }
            return;
        }
        if (tls == null && !insecurePlaintext) {
            throw new IllegalArgumentException("a member of a group of " + peers.size() + " needs TLS material "
                    + "for its Raft port: --raft-tls-cert-file, --raft-tls-key-file and --raft-tls-ca-file "
                    + "(make them with 'counter-store certs'); or --raft-insecure-plaintext, for tests or a "
                    + "private network where everyone who can reach the Raft port may act as a member");
        }
    }

    public ShardGroup(Settings settings, ShardStateMachine stateMachine, InFlightBatches inFlight) throws IOException {
        checkRaftSecurity(settings.peers(), settings.raftBind(), settings.tls(), settings.insecurePlaintext());
        this.settings = settings;
        this.stateMachine = stateMachine;
        this.inFlight = inFlight;
        this.selfId = RaftPeerId.valueOf(settings.nodeId());
        List<RaftPeer> peers = new ArrayList<>();
        int port;
        String bind;
        if (settings.peers().size() <= 1) {
            port = settings.peers().isEmpty() ? (settings.raftPort() > 0 ? settings.raftPort() : freePort())
                    : member(settings).port();
            bind = LOOPBACK;
            peers.add(RaftPeer.newBuilder().setId(selfId).setAddress(LOOPBACK + ":" + port).build());
        } else {
            Peer self = member(settings);
            port = self.port();
            bind = settings.raftBind() != null ? settings.raftBind() : self.host();
            for (Peer p : settings.peers()) {
                peers.add(RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build());
            }
        }
        RaftGroup group = RaftGroup.valueOf(SHARD_0, peers);
        this.group = group;
        this.bindAddress = bind + ":" + port;
        // a group of one takes no calls at all; members talk mutual TLS (or, asked for by name, plaintext)
        this.closedPort = peers.size() < 2 ? new ClosedRaftPort() : null;
        this.parameters = new Parameters();
        if (closedPort != null) {
            GrpcConfigKeys.Server.setServicesCustomizer(parameters, closedPort);
            if (settings.tls() != null) {
                LOG.info("Raft TLS material not used: a group of one takes no Raft calls");
            }
        } else if (settings.tls() != null) {
            GrpcTlsConfig tls = settings.tls().grpcConfig();
            GrpcConfigKeys.Server.setTlsConf(parameters, tls);
            GrpcConfigKeys.Admin.setTlsConf(parameters, tls);
            GrpcConfigKeys.Client.setTlsConf(parameters, tls);
            LOG.info("Raft port {} takes members only (mutual TLS): {}", bindAddress, settings.tls().describe());
        } else {
            LOG.warn("Raft port {} is PLAINTEXT (--raft-insecure-plaintext): anyone who reaches it can act as a "
                    + "member of the group", bindAddress);
        }
        this.server = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(properties(settings, bind, port))
                .setParameters(parameters)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        this.forwarder = peers.size() < 2 ? null : new AtomicReference<>(newForwarder());
    }

    private static Peer member(Settings settings) {
        return settings.peers().stream().filter(p -> p.id().equals(settings.nodeId())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "--node-id " + settings.nodeId() + " is not one of --peers"));
    }

    private RaftClient newForwarder() {
        return RaftClient.newBuilder()
                .setRaftGroup(group)
                .setProperties(clientProperties())
                .setParameters(parameters)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(20,
                        TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
    }

    /**
     * A Ratis client's ordered async stream is dead for good once one request in it gives up (its
     * retries ran out, or it failed with an error that is not retried): its sliding window fails
     * that request and every later one with {@link AlreadyClosedException}, forever. So when a
     * forwarded entry fails like that, the follower gets a new client, or it could never forward
     * a write again (every write on it would answer TRYAGAIN until a restart).
     */
    private void replaceForwarderAfter(RaftClient failed, Throwable failure) {
        if (!closesTheStream(failure) || closing) {
            return;
        }
        synchronized (forwarder) {
            if (forwarder.get() != failed || closing) {
                return; // replaced already
            }
            forwarder.set(newForwarder());
        }
        LOG.warn("forwarding to the leader failed for good ({}); using a new Raft client", failure.toString());
        CompletableFuture.runAsync(() -> {
            try {
                failed.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing the failed forwarding client", e);
            }
        });
    }

    /** True for the failures after which an ordered async Ratis client fails every later request. */
    private static boolean closesTheStream(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RaftRetryFailureException || t instanceof AlreadyClosedException
                    || t instanceof GroupMismatchException) {
                return true;
            }
            if (!(t instanceof CompletionException)) {
                return !(t instanceof IOException); // IOExceptions are retried, anything else is not
            }
        }
        return false;
    }

    private static RaftProperties clientProperties() {
        RaftProperties p = new RaftProperties();
        EntryLimits.applyToClient(p);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return p;
    }

    private static RaftProperties properties(Settings s, String bind, int port) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(s.dataDir().resolve("raft").toFile()));
        // the admin and client services share the server's port; all three listen on one address
        GrpcConfigKeys.Server.setHost(p, bind);
        GrpcConfigKeys.Admin.setHost(p, bind);
        GrpcConfigKeys.Client.setHost(p, bind);
        GrpcConfigKeys.Server.setPort(p, port);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, s.snapshotEvery());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, 64);
        EntryLimits.applyTo(p); // the entry limit the pipeline's batches and commands are checked against
        // Ratis purges closed segments only: smaller segments let snapshots free the disk sooner
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("16MB"));
        boolean single = s.peers().size() <= 1;
        // a group of one elects itself at once. Three replicas on two cores: 300-600 ms keeps clear
        // of spurious elections (heartbeats go every min/2 = 150 ms) and still fails over within
        // 2 s: a Ratis follower sleeps a whole random timeout T before each check of how long the
        // leader has been silent, so it notices a dead leader only T..2T after its last heartbeat
        // (600-1100 ms took up to 2.2 s to notice, 1.4-2.4 s to fail over; see ThreeNodeFailoverIT)
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(single ? 150 : 300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(single ? 300 : 600, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(single ? 10 : 300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(single ? 50 : 600, TimeUnit.MILLISECONDS));
        return p;
    }

    public void start() throws IOException {
        server.start();
    }

    @Override
    public CompletableFuture<Void> append(byte[] entry, Batch batch) {
        long callId = inFlight.register(batch);
        LogEntryFormat.setOrigin(entry, inFlight.origin(), callId);
        CompletableFuture<RaftClientReply> reply;
        RaftClient via = forwarder == null ? null : forwarder.get();
        if (via != null && !isLeader()) {
            // a follower hands the entry to the leader; its clients are answered when this node
            // applies the entry, like everyone else's
            reply = via.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)));
            reply.whenComplete((r, failure) -> {
                if (failure != null) {
                    replaceForwarderAfter(via, failure);
                }
            });
        } else {
            reply = submitLocally(entry, callId);
        }
        return reply.handle((r, failure) -> {
            if (failure != null || !r.isSuccess()) {
                Batch unanswered = inFlight.forget(callId);
                if (unanswered != null) {
                    unanswered.fail(refusal(r, failure));
                }
            }
            return null;
        });
    }

    private CompletableFuture<RaftClientReply> submitLocally(byte[] entry, long callId) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(inFlight.clientId())
                .setServerId(selfId)
                .setGroupId(SHARD_0)
                .setCallId(callId)
                .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)))
                .setType(RaftClientRequest.writeRequestType())
                .build();
        try {
            return server.submitClientRequestAsync(request);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Reply refusal(RaftClientReply r, Throwable failure) {
        NotLeaderException notLeader = r == null ? null : r.getNotLeaderException();
        if (notLeader != null) {
            RaftPeer leader = notLeader.getSuggestedLeader();
            return Reply.error("TRYAGAIN not the leader" + (leader == null ? ", an election is under way"
                    : "; the leader is " + leader.getId() + " (raft " + leader.getAddress() + ")"));
        }
        Throwable cause = failure != null ? failure : r.getException();
        return Reply.error("TRYAGAIN the log did not commit the write: "
                + (cause == null ? "unknown reason" : cause.getClass().getSimpleName() + " " + cause.getMessage()));
    }

    private DivisionInfo info() {
        try {
            return server.getDivision(SHARD_0).getInfo();
        } catch (IOException e) {
            return null;
        }
    }

    public boolean isLeader() {
        DivisionInfo i = info();
        return i != null && i.isLeader() && i.isLeaderReady();
    }

    public String role() {
        DivisionInfo i = info();
        RaftPeerRole role = i == null ? null : i.getCurrentRole();
        return role == null ? "unknown" : role.name().toLowerCase();
    }

    public String leaderId() {
        DivisionInfo i = info();
        RaftPeerId id = i == null ? null : i.getLeaderId();
        return id == null ? "" : id.toString();
    }

    public long term() {
        DivisionInfo i = info();
        return i == null ? 0 : i.getCurrentTerm();
    }

    public long commitIndex() {
        try {
            return server.getDivision(SHARD_0).getRaftLog().getLastCommittedIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    public long logStartIndex() {
        try {
            return server.getDivision(SHARD_0).getRaftLog().getStartIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    public String nodeId() {
        return settings.nodeId();
    }

    /** host:port the Raft port listens on. */
    public String raftAddress() {
        return bindAddress;
    }

    /** How the Raft port admits callers: {@code closed}, {@code mutual-tls} or {@code plaintext}. */
    public String raftSecurity() {
        return closedPort != null ? "closed" : settings.tls() != null ? "mutual-tls" : "plaintext";
    }

    /** Raft calls refused since start (a group of one refuses them all). */
    public long raftCallsRefused() {
        return closedPort == null ? 0 : closedPort.refused();
    }

    public int groupSize() {
        return Math.max(1, settings.peers().size());
    }

    public ShardStateMachine stateMachine() {
        return stateMachine;
    }

    /** The Ratis server; tests in this package submit requests to it directly. */
    RaftServer server() {
        return server;
    }

    /**
     * Waits until this node leads and can take writes, or knows another node that leads. A node
     * just elected is not ready until its first entry of the term commits; writes before that are
     * refused, so an elected but unready self does not count.
     */
    public boolean awaitLeader(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            String leader = leaderId();
            if (isLeader() || (!leader.isEmpty() && !leader.equals(settings.nodeId()))) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        closing = true;
        if (forwarder != null) {
            synchronized (forwarder) {
                forwarder.get().close();
            }
        }
        server.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
