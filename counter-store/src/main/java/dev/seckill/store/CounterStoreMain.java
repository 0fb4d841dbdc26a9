package dev.seckill.store;

import dev.seckill.store.pipeline.CommandPipeline;
import dev.seckill.store.protocol.ProtocolLimits;
import dev.seckill.store.replication.EntryLimits;
import dev.seckill.store.replication.ShardGroup;
import dev.seckill.store.server.StoreNode;
import dev.seckill.store.tls.RaftTls;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar counter-store.jar [options]}: one counter-store node; {@code certs}: the TLS
 * material of a group's Raft ports ({@link CertsCommand}). Exit codes: 0 stopped cleanly, 2 bad
 * options (one line on stderr and the usage).
 */
@Command(name = "counter-store", mixinStandardHelpOptions = true, version = "counter-store " + StoreNode.VERSION,
        sortOptions = false, usageHelpWidth = 100, subcommands = CertsCommand.class,
        description = "An in-memory inventory and counter store that speaks RESP, every change durable in a Raft log.")
public final class CounterStoreMain implements Callable<Integer> {
    static final int BAD_INPUT = 2;
    static final String ENV_TLS_CERT = "STORE_RAFT_TLS_CERT_FILE";
    static final String ENV_TLS_KEY = "STORE_RAFT_TLS_KEY_FILE";
    static final String ENV_TLS_CA = "STORE_RAFT_TLS_CA_FILE";
    static final String ENV_TLS_KEY_PASS = "STORE_RAFT_TLS_KEY_PASS";
    static final String ENV_TLS_KEY_PASS_FILE = "STORE_RAFT_TLS_KEY_PASS_FILE";

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

    @Option(names = "--raft-bind", paramLabel = "ADDR",
            description = "address a member's Raft port listens on (default: its host in --peers; "
                    + "a group of one listens on 127.0.0.1 and takes no calls)")
    String raftBind;

    @Option(names = "--raft-tls-cert-file", paramLabel = "FILE", defaultValue = "${env:" + ENV_TLS_CERT + "}",
            description = "PEM certificate (chain) of this member, signed by the cluster CA (env " + ENV_TLS_CERT + ")")
    Path raftTlsCert;

    @Option(names = "--raft-tls-key-file", paramLabel = "FILE", defaultValue = "${env:" + ENV_TLS_KEY + "}",
            description = "PEM private key of this member (env " + ENV_TLS_KEY + "); if it is encrypted, its "
                    + "password comes from env " + ENV_TLS_KEY_PASS + " or --raft-tls-key-pass-file")
    Path raftTlsKey;

    @Option(names = "--raft-tls-key-pass-file", paramLabel = "FILE", defaultValue = "${env:" + ENV_TLS_KEY_PASS_FILE + "}",
            description = "file whose first line is the private key's password (env " + ENV_TLS_KEY_PASS_FILE + ")")
    Path raftTlsKeyPassFile;

    @Option(names = "--raft-tls-ca-file", paramLabel = "FILE", defaultValue = "${env:" + ENV_TLS_CA + "}",
            description = "PEM certificate(s) of the cluster CA: the only issuer a member's peers may present "
                    + "(env " + ENV_TLS_CA + ")")
    Path raftTlsCa;

    @Option(names = "--raft-insecure-plaintext",
            description = "let a member of a group of more than one start without TLS: anyone who reaches its "
                    + "Raft port can then act as a member. For tests, or a private network you trust")
    boolean raftInsecurePlaintext;

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

    CounterStoreMain() {
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
        RaftTls tls = raftTls();
        ShardGroup.checkRaftSecurity(members, raftBind, tls, raftInsecurePlaintext);
        return StoreConfig.builder()
                .port(range("--port", port, 0, 65535))
                .bindHost(bind)
                .dataDir(dataDir)
                .nodeId(nodeId)
                .peers(members)
                .raftPort(range("--raft-port", raftPort, 0, 65535))
                .raftBind(raftBind)
                .raftTls(tls)
                .raftInsecurePlaintext(raftInsecurePlaintext)
                .requirePass(requirePass)
                .snapshotEvery(range("--snapshot-every", snapshotEvery, 1, Integer.MAX_VALUE))
                .limits(new ProtocolLimits((int) range("--max-bulk-bytes", maxBulkBytes, 1, Integer.MAX_VALUE - 64),
                        (int) range("--max-args", maxArgs, 1, Integer.MAX_VALUE),
                        ProtocolLimits.defaults().maxInlineBytes()))
                .pipeline(CommandPipeline.Settings.defaults().withMaxCommandBytes(
                        range("--max-command-bytes", maxCommandBytes, 1, EntryLimits.MAX_COMMAND_BYTES)))
                .build();
    }

    /** The Raft TLS material the options (or their environment variables) name, loaded; null if none. */
    private RaftTls raftTls() {
        int given = (raftTlsCert != null ? 1 : 0) + (raftTlsKey != null ? 1 : 0) + (raftTlsCa != null ? 1 : 0);
        if (given == 0) {
            return null;
        }
        if (given < 3) {
            throw new IllegalArgumentException("--raft-tls-cert-file, --raft-tls-key-file and --raft-tls-ca-file "
                    + "go together (or " + ENV_TLS_CERT + ", " + ENV_TLS_KEY + " and " + ENV_TLS_CA + ")");
        }
        char[] password = keyPassword();
        try {
            return RaftTls.load(raftTlsCert, raftTlsKey, raftTlsCa, password);
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /** From a file or the environment: a password on the command line would show in {@code ps}. */
    private char[] keyPassword() {
        if (raftTlsKeyPassFile != null) {
            try {
                List<String> lines = Files.readAllLines(raftTlsKeyPassFile, StandardCharsets.UTF_8);
                return lines.isEmpty() ? new char[0] : lines.get(0).toCharArray();
            } catch (IOException e) {
                throw new IllegalArgumentException("--raft-tls-key-pass-file " + raftTlsKeyPassFile
                        + ": cannot read it: " + e.getMessage());
            }
        }
        String fromEnv = System.getenv(ENV_TLS_KEY_PASS);
        return fromEnv == null ? null : fromEnv.toCharArray();
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
