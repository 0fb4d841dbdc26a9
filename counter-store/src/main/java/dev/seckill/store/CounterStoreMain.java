package dev.seckill.store;

import dev.seckill.store.protocol.ProtocolLimits;
import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.server.StoreNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar counter-store.jar [--port 6380] [--data-dir DIR] [--node-id ID --peers id=host:raftport,...]
 * [--raft-port P] [--bind ADDR] [--requirepass P]}
 */
public final class CounterStoreMain {
    static final String USAGE = """
            usage: java -jar counter-store.jar [options]
              --port N            RESP port (default 6380)
              --bind ADDR         address to listen on (default 0.0.0.0)
              --data-dir DIR      Raft log and snapshots (default ./data/counter-store)
              --node-id ID        this node's id (default n1)
              --peers LIST        id=host:raftport,... : start as a member of that group (3 nodes)
              --raft-port N       Raft port of a group of one (default: a free one)
              --requirepass P     clients must AUTH with this password
              --snapshot-every N  snapshot after N log entries (default 100000; written in the
                                  background, no sooner than 4x the last one's writing time after it)
              --max-bulk-bytes N  longest bulk string a client may send (default 1048576)
              --max-args N        most arguments in one command (default 65536)
            """;

    private CounterStoreMain() {
    }

    public static void main(String[] args) throws Exception {
        StoreConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("counter-store: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (config == null) {
            System.out.print(USAGE);
            return;
        }
        StoreNode node = StoreNode.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM / Ctrl-C: answer what was accepted, then stop the log cleanly
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "shutdown"));
        System.out.println("counter-store ready on port " + node.port());
        stopped.await();
    }

    /** The configuration the arguments describe, or null when help was asked for. */
    static StoreConfig parse(String[] args) {
        StoreConfig c = StoreConfig.defaults();
        String nodeId = c.nodeId();
        List<ShardGroup.Peer> peers = new ArrayList<>();
        int raftPort = 0;
        String bind = c.bindHost();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String v = args[++i];
            switch (flag) {
                case "--port" -> c = c.withPort(intArg(flag, v, 0, 65535));
                case "--bind" -> bind = v;
                case "--data-dir" -> c = c.withDataDir(Path.of(v));
                case "--node-id" -> nodeId = v;
                case "--peers" -> {
                    for (String p : v.split(",")) {
                        peers.add(ShardGroup.Peer.parse(p.trim()));
                    }
                }
                case "--raft-port" -> raftPort = intArg(flag, v, 0, 65535);
                case "--requirepass" -> c = c.withRequirePass(v);
                case "--snapshot-every" -> c = c.withSnapshotEvery(intArg(flag, v, 1, Integer.MAX_VALUE));
                case "--max-bulk-bytes" -> c = c.withLimits(new ProtocolLimits(intArg(flag, v, 1, Integer.MAX_VALUE - 64),
                        c.limits().maxArgs(), c.limits().maxInlineBytes()));
                case "--max-args" -> c = c.withLimits(new ProtocolLimits(c.limits().maxBulkBytes(),
                        intArg(flag, v, 1, Integer.MAX_VALUE), c.limits().maxInlineBytes()));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        String self = nodeId;
        if (!peers.isEmpty() && peers.stream().noneMatch(p -> p.id().equals(self))) {
            throw new IllegalArgumentException("--node-id must name one of --peers");
        }
        c = c.withGroup(nodeId, List.copyOf(peers));
        return new StoreConfig(c.port(), bind, c.dataDir(), c.nodeId(), c.peers(), raftPort, c.requirePass(),
                c.limits(), c.book(), c.pipeline(), c.snapshotEvery(), c.tickMillis());
    }

    private static int intArg(String flag, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(flag + " must be " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got '" + v + "'");
        }
    }
}
