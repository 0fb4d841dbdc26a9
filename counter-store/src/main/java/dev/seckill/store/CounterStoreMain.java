package dev.seckill.store;

import dev.seckill.store.pipeline.CommandPipeline;
import dev.seckill.store.protocol.ProtocolLimits;
import dev.seckill.store.replication.EntryLimits;
import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.server.StoreNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar counter-store.jar [options]}: one counter-store node. Exit codes: 0 stopped
 * cleanly, 2 bad options (one line on stderr and the usage).
 */
@Command(name = "counter-store", mixinStandardHelpOptions = true, version = "counter-store " + StoreNode.VERSION,
        sortOptions = false, usageHelpWidth = 100,
        description = "An in-memory inventory and counter store that speaks RESP, every change durable in a Raft log.")
public final class CounterStoreMain implements Callable<Integer> {
    static final int BAD_INPUT = 2;

    @Option(names = "--port", paramLabel = "N", description = "RESP port (default ${DEFAULT-VALUE})")
    int port = StoreConfig.DEFAULT_PORT;

    @Option(names = "--bind", paramLabel = "ADDR", description = "address the RESP port listens on (default ${DEFAULT-VALUE})")
    String bind = StoreConfig.defaults().bindHost();

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Raft log and snapshots (default ${DEFAULT-VALUE})")
    Path dataDir = StoreConfig.defaults().dataDir();

    @Option(names = "--node-id", paramLabel = "ID", description = "this node's id (default ${DEFAULT-VALUE})")
    String nodeId = StoreConfig.defaults().nodeId();

    @Option(names = "--peers", paramLabel = "LIST", split = ",",
            description = "id=host:raftport,... : start as a member of that group")
    List<String> peers = new ArrayList<>();

    @Option(names = "--raft-port", paramLabel = "N", description = "Raft port of a group of one (default: a free one)")
    int raftPort;

    @Option(names = "--requirepass", paramLabel = "P", description = "clients must AUTH with this password")
    String requirePass;

    @Option(names = "--snapshot-every", paramLabel = "N",
            description = "snapshot after N log entries (default ${DEFAULT-VALUE}; written in the background, "
                    + "no sooner than 4x the last one's writing time after it)")
    long snapshotEvery = StoreConfig.defaults().snapshotEvery();

    @Option(names = "--max-bulk-bytes", paramLabel = "N",
            description = "longest bulk string a client may send (default ${DEFAULT-VALUE})")
    int maxBulkBytes = ProtocolLimits.defaults().maxBulkBytes();

    @Option(names = "--max-args", paramLabel = "N", description = "most arguments in one command (default ${DEFAULT-VALUE})")
    int maxArgs = ProtocolLimits.defaults().maxArgs();

    @Option(names = "--max-command-bytes", paramLabel = "N",
            description = "largest command, its arguments' bytes plus 4 per argument (default and most ${DEFAULT-VALUE}: "
                    + "a log entry holds 4 MiB)")
    int maxCommandBytes = CommandPipeline.Settings.defaults().maxCommandBytes();

    private CounterStoreMain() {
    }

    public static void main(String[] args) {
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new CounterStoreMain());
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("counter-store: " + ex.getMessage());
            ex.getCommandLine().usage(System.err);
            return BAD_INPUT;
        });
        return cli.execute(args);
    }

    /** The configuration the options describe; refuses values out of range with a clear message. */
    StoreConfig config() {
        List<ShardGroup.Peer> members = new ArrayList<>();
        for (String p : peers) {
            members.add(ShardGroup.Peer.parse(p.trim()));
        }
        if (!members.isEmpty() && members.stream().noneMatch(p -> p.id().equals(nodeId))) {
            throw new IllegalArgumentException("--node-id must name one of --peers");
        }
        return StoreConfig.builder()
                .port(range("--port", port, 0, 65535))
                .bindHost(bind)
                .dataDir(dataDir)
                .nodeId(nodeId)
                .peers(members)
                .raftPort(range("--raft-port", raftPort, 0, 65535))
                .requirePass(requirePass)
                .snapshotEvery(range("--snapshot-every", snapshotEvery, 1, Integer.MAX_VALUE))
                .limits(new ProtocolLimits((int) range("--max-bulk-bytes", maxBulkBytes, 1, Integer.MAX_VALUE - 64),
                        (int) range("--max-args", maxArgs, 1, Integer.MAX_VALUE),
                        ProtocolLimits.defaults().maxInlineBytes()))
                .pipeline(CommandPipeline.Settings.defaults().withMaxCommandBytes(
                        range("--max-command-bytes", maxCommandBytes, 1, EntryLimits.MAX_COMMAND_BYTES)))
                .build();
    }

    @Override
    public Integer call() throws Exception {
        StoreConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            System.err.println("counter-store: " + e.getMessage());
            return BAD_INPUT;
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
        return 0;
    }

    private static long range(String flag, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(flag + " must be " + min + ".." + max + ", got " + v);
        }
        return v;
    }

    private static int range(String flag, int v, int min, int max) {
        return (int) range(flag, (long) v, min, max);
    }
}
