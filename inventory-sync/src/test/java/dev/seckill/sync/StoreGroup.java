package dev.seckill.sync;

import dev.seckill.store.StoreConfig;
import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.server.StoreNode;
import dev.seckill.store.tls.ClusterCertificates;
import dev.seckill.store.tls.ClusterCertificates.Signed;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A real three-node counter-store group in this JVM (n1, n2, n3 on free loopback ports, their Raft
 * ports on mutual TLS with certificates of a CA made for the group), for failover tests: any node
 * can be stopped; its RESP port then refuses connections, as a dead node's does, and the other two
 * keep the quorum.
 */
public final class StoreGroup implements AutoCloseable {
    private final Map<String, StoreNode> nodes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());

    private StoreGroup() {
    }

    /** Starts the three together (each waits for a leader, which needs two of them). */
    public static StoreGroup start(Path dir) throws Exception {
        int[] raft = freePorts(3);
        List<ShardGroup.Peer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(new ShardGroup.Peer("n" + (i + 1), "127.0.0.1", raft[i]));
        }
        StoreGroup group = new StoreGroup();
        List<CompletableFuture<StoreNode>> starting = new ArrayList<>();
        Signed ca = ClusterCertificates.newAuthority("store-group test", Duration.ofDays(1));
        for (ShardGroup.Peer p : peers) {
            Signed member = ClusterCertificates.issue(ca, p.id(), List.of(p.host()), Duration.ofDays(1));
            StoreConfig config = StoreConfig.defaults().withPort(0).withDataDir(dir.resolve(p.id()))
                    .withGroup(p.id(), peers, ClusterCertificates.tls(member, ca));
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return StoreNode.start(config);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        try {
            for (int i = 0; i < 3; i++) {
                group.nodes.put(peers.get(i).id(), starting.get(i).join());
            }
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
        return group;
    }

    public int port(String id) {
        return nodes.get(id).port();
    }

    /** {@code redis://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3}: the short list form, n1 first. */
    public String addresses() {
        return nodes.values().stream().map(n -> "127.0.0.1:" + n.port())
                .collect(Collectors.joining(",", "redis://", ""));
    }

    /** The id of the node listening on {@code redis://127.0.0.1:port}. */
    public String idOf(String uri) {
        return nodes.entrySet().stream().filter(e -> uri.endsWith(":" + e.getValue().port()))
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("no node at " + uri));
    }

    /** Stops a node: its connections close and its port refuses new ones. */
    public void stop(String id) {
        StoreNode n = nodes.remove(id);
        if (n != null) {
            n.close();
        }
    }

    @Override
    public void close() {
        // together: a node closed alone after the others may wait on a group without quorum
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (String id : List.copyOf(nodes.keySet())) {
            closing.add(CompletableFuture.runAsync(() -> stop(id)));
        }
        closing.forEach(CompletableFuture::join);
    }

    static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }
}
