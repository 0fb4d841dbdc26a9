package dev.seckill.store.replication;

import dev.seckill.store.StoreConfig;
import dev.seckill.store.server.StoreNode;
import dev.seckill.store.tls.ClusterCertificates;
import dev.seckill.store.tls.ClusterCertificates.Signed;
import dev.seckill.store.tls.RaftTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;

/**
 * Three store nodes of one Raft group in this JVM (n1, n2, n3 on loopback), their Raft ports on
 * mutual TLS with certificates of a CA made for the test. Any node can be stopped and started
 * again on its data directory.
 */
final class TlsGroup implements AutoCloseable {
    static final List<String> IDS = List.of("n1", "n2", "n3");

    final Signed ca = ClusterCertificates.newAuthority("test", Duration.ofDays(1));
    private final Map<String, StoreConfig> configs = new LinkedHashMap<>();
    private final Map<String, Signed> certificates = new LinkedHashMap<>();
    private final Map<String, StoreNode> nodes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<ShardGroup.Peer> peers = new ArrayList<>();

    TlsGroup(Path dir) {
        int[] ports = freePorts(IDS.size());
        for (int i = 0; i < IDS.size(); i++) {
            peers.add(new ShardGroup.Peer(IDS.get(i), "127.0.0.1", ports[i]));
        }
        for (ShardGroup.Peer p : peers) {
            Signed cert = ClusterCertificates.issue(ca, p.id(), List.of(p.host()), Duration.ofDays(1));
            certificates.put(p.id(), cert);
            configs.put(p.id(), StoreConfig.defaults().withPort(0).withDataDir(dir.resolve(p.id()))
                    .toBuilder().bindHost("127.0.0.1").build()
                    .withGroup(p.id(), peers, ClusterCertificates.tls(cert, ca)));
        }
    }

    /** Starts every node that is not running, together (each waits for a leader). */
    TlsGroup start() {
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (String id : IDS) {
            if (!nodes.containsKey(id)) {
                starting.add(CompletableFuture.runAsync(() -> start(id)));
            }
        }
        starting.forEach(CompletableFuture::join);
        return this;
    }

    void start(String id) {
        try {
            nodes.put(id, StoreNode.start(configs.get(id)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void stop(String id) {
        StoreNode n = nodes.remove(id);
        if (n != null) {
            n.close();
        }
    }

    StoreNode node(String id) {
        return nodes.get(id);
    }

    Path dataDir(String id) {
        return configs.get(id).dataDir();
    }

    /** A member's own material, as a Raft client holding a member certificate would use it. */
    RaftTls memberTls(String id) {
        return ClusterCertificates.tls(certificates.get(id), ca);
    }

    /** id to host:port of every member. */
    Map<String, String> raftAddresses() {
        Map<String, String> m = new LinkedHashMap<>();
        peers.forEach(p -> m.put(p.id(), p.host() + ":" + p.port()));
        return m;
    }

    int raftPort(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow().port();
    }

    /** The running node that leads and is ready, once every running node names it. */
    String awaitLeader() {
        String[] leader = new String[1];
        await("a leader every running node agrees on").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    List<StoreNode> running = new ArrayList<>(nodes.values());
                    List<String> leaders = running.stream().filter(n -> n.group().isLeader())
                            .map(n -> n.group().nodeId()).toList();
                    if (leaders.size() == 1 && running.stream().allMatch(n -> n.group().leaderId().equals(leaders.get(0)))) {
                        leader[0] = leaders.get(0);
                        return true;
                    }
                    return false;
                });
        return leader[0];
    }

    List<String> running() {
        return List.copyOf(nodes.keySet());
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

    private static int[] freePorts(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // free again either way
                }
            }
        }
    }
}
