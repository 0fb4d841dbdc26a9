package dev.seckill.service.store;

import dev.seckill.store.StoreConfig;
import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.server.StoreNode;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A real three-node counter-store group in this JVM (n1, n2, n3 on free loopback ports), for
 * failover tests: any node can be stopped; its RESP port then refuses connections, as a dead
 * node's does, and the other two keep the quorum.
 */
final class StoreGroup implements AutoCloseable {
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
        for (ShardGroup.Peer p : peers) {
            StoreConfig config = StoreConfig.defaults().withPort(0).withDataDir(dir.resolve(p.id()))
                    .withGroup(p.id(), peers);
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
