package dev.seckill.perf;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.store.StoreConfig;
import dev.seckill.store.server.StoreNode;
import dev.seckill.sync.InventorySync;
import dev.seckill.sync.SyncSettings;
import dev.seckill.sync.SyncStatus;
import dev.seckill.sync.feed.StoreClient;
import dev.seckill.sync.rds.RdsSchema;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The inventory sync under a flash-sale load: an in-process counter-store taking {@code --rate}
 * {@code INV.RESERVE}/s (pipelined Lettuce, unique request ids, over {@code --skus} SKUs), the
 * sync writing to a MariaDB database of its own (through a TCP proxy in this JVM), and then a
 * database outage of {@code --outage} seconds (the proxy drops every connection and refuses new
 * ones) while the sale goes on.
 *
 * <p>Reports: the achieved rate; the sync lag (age of the oldest change the RDS lacks, sampled
 * every 10 ms) p50/p99/max in steady state; SQL statements per reservation; the backlog the
 * outage left; how long it took to drain (until the checkpoint passed the store's last sequence
 * at the moment the database came back) with the sale still going on.
 *
 * <pre>java -Xmx8g -cp perf/target/benchmarks.jar dev.seckill.perf.SyncBench [--rate 50000] [--warmup 10] [--steady 30] [--outage 60] [--skus 1000]
 *      [--drain false] [--db sync_bench_NAME]</pre>
 *
 * <p>{@code --drain false} ends after the steady phase (no outage, no wait for the sync to catch up,
 * which at a rate it cannot keep up with never comes); {@code --db} names the database (dropped at the end).
 */
public final class SyncBench {
    private static final ProtocolKeyword RESERVE = new ProtocolKeyword() {
        private final byte[] bytes = "INV.RESERVE".getBytes(StandardCharsets.US_ASCII);

        @Override
        public byte[] getBytes() {
            return bytes;
        }
    };

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicBoolean selling = new AtomicBoolean(true);

    public static void main(String[] args) throws Exception {
        int rate = intArg(args, "--rate", 50_000);
        int warmup = intArg(args, "--warmup", 10);
        int steady = intArg(args, "--steady", 30);
        int outage = intArg(args, "--outage", 60);
        int skus = intArg(args, "--skus", 1000);
        boolean drain = Boolean.parseBoolean(stringArg(args, "--drain", "true"));
        String db = stringArg(args, "--db", "sync_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10));
        if (!db.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("--db: lower-case letters, digits and _ only: " + db);
        }
        new SyncBench().run(rate, warmup, steady, outage, skus, drain, db);
        System.exit(0);
    }

    private void run(int rate, int warmup, int steady, int outage, int skuCount, boolean drain, String db) throws Exception {
        Path dir = Files.createTempDirectory("syncbench");
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        StoreNode node = StoreNode.start(StoreConfig.defaults().withPort(0).withDataDir(dir));
        Proxy proxy = new Proxy(3306);
        HikariDataSource direct = pool("jdbc:mariadb://127.0.0.1:3306/" + db);
        HikariDataSource viaProxy = pool("jdbc:mariadb://127.0.0.1:" + proxy.port + "/" + db);
        try {
            RdsSchema.migrate(direct);
            String uri = "redis://127.0.0.1:" + node.port();
            List<String> skus = new ArrayList<>();
            try (StoreClient admin = StoreClient.connect(uri)) {
                for (int i = 0; i < skuCount; i++) {
                    skus.add("bench-sku-" + i);
                    admin.create("bench-sku-" + i, 1_000_000_000_000L);
                }
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            InventorySync sync = InventorySync.start(SyncSettings.of(uri).withBatchSize(5000), viaProxy, registry);
            Thread seller = new Thread(() -> sell(uri, skus, rate), "seller");
            seller.start();
            Histogram lag = new Histogram(3_600_000L, 3);
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    lag.recordValue(Math.min(3_600_000L, sync.status().lagMs()));
                    sleep(10);
                }
            }, "lag-sampler");

            System.out.printf("warm-up %d s at %d reservations/s...%n", warmup, rate);
            sleep(warmup * 1000L);
            long stmts0 = (long) registry.get("inventory.sync.statements").counter().count();
            double rows0 = reservationRows(registry);
            long batches0 = registry.get("inventory.sync.batch.commit").timer().count();
            long acc0 = accepted.get();
            long t0 = System.nanoTime();
            sampler.start();
            sleep(steady * 1000L);
            sampling.set(false);
            sampler.join();
            double secs = (System.nanoTime() - t0) / 1e9;
            long stmts = (long) registry.get("inventory.sync.statements").counter().count() - stmts0;
            long acc = accepted.get() - acc0;
            double batchRows = registry.get("inventory.sync.batch.rows").summary().mean();
            System.out.printf("steady %.0f s: %,.0f reservations/s accepted, sync lag p50 %d ms, p99 %d ms, max %d ms;"
                            + " %,d statements for %,d reservations = %.4f per reservation; mean batch %.0f rows%n",
                    secs, acc / secs, lag.getValueAtPercentile(50), lag.getValueAtPercentile(99), lag.getMaxValue(),
                    stmts, acc, (double) stmts / acc, batchRows);

            io.micrometer.core.instrument.Timer commit = registry.get("inventory.sync.batch.commit").timer();
            io.micrometer.core.instrument.Timer poll = registry.get("inventory.sync.poll").timer();
            System.out.printf("  the sync wrote %,.0f reservation rows/s in %d batches during the steady phase%n",
                    (reservationRows(registry) - rows0) / secs, commit.count() - batches0);
            System.out.printf("  batches: %d, write+commit mean %.1f ms max %.1f ms; INV.CHANGES mean %.1f ms max %.1f ms%n",
                    commit.count(), commit.mean(java.util.concurrent.TimeUnit.MILLISECONDS), commit.max(java.util.concurrent.TimeUnit.MILLISECONDS),
                    poll.mean(java.util.concurrent.TimeUnit.MILLISECONDS), poll.max(java.util.concurrent.TimeUnit.MILLISECONDS));
            if (!drain) {
                selling.set(false);
                seller.join();
                sync.close();
                return;
            }
            System.out.printf("database outage %d s, the sale goes on...%n", outage);
            long accBefore = accepted.get();
            long refusedBefore = refused.get();
            proxy.cut();
            long cutAt = System.nanoTime();
            SyncStatus worst = sync.status();
            while (System.nanoTime() - cutAt < outage * 1_000_000_000L) {
                sleep(1000);
                worst = sync.status();
            }
            long duringOutage = accepted.get() - accBefore;
            proxy.restore();
            long restoredAt = System.nanoTime();
            long target = worst.storeLastSeq();
            SyncStatus now = sync.status();
            long storeLast = target;
            try (StoreClient probe = StoreClient.connect(uri)) {
                storeLast = probe.changes(Long.MAX_VALUE - 1, 1).lastSeq();
            }
            System.out.printf("outage over: %,d reservations accepted during it (%,d refused), backlog %,d sequence numbers (state %s)%n",
                    duringOutage, refused.get() - refusedBefore, storeLast - now.appliedSeq(), worst.state());
            while (sync.status().appliedSeq() < storeLast) {
                sleep(20);
            }
            double drained = (System.nanoTime() - restoredAt) / 1e9;
            System.out.printf("drained in %.1f s (checkpoint passed %,d, the store's last sequence when the database came back),"
                            + " with the sale still going on at %,d/s%n", drained, storeLast, rate);
            selling.set(false);
            seller.join();
            sync.close();
        } finally {
            proxy.cut();
            viaProxy.close();
            direct.close();
            node.close();
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", ""); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + db);
            }
        }
    }

    /** INV.RESERVE at {@code rate}/s on 4 pipelined connections, at most 8192 in flight. */
    private void sell(String uri, List<String> skus, int rate) {
        RedisClient client = RedisClient.create(RedisURI.create(uri));
        client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
        List<RedisAsyncCommands<String, String>> conns = new ArrayList<>();
        List<StatefulRedisConnection<String, String>> open = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            StatefulRedisConnection<String, String> c = client.connect();
            c.setAutoFlushCommands(false);
            open.add(c);
            conns.add(c.async());
        }
        Semaphore inFlight = new Semaphore(8192);
        long start = System.nanoTime();
        long n = 0;
        while (selling.get()) {
            long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
            while (n < due && inFlight.tryAcquire()) {
                CommandArgs<String, String> a = new CommandArgs<>(StringCodec.UTF8)
                        .add(skus.get((int) (n % skus.size()))).add(1).add("bench-" + n);
                conns.get((int) (n & 3)).dispatch(RESERVE, new IntegerOutput<>(StringCodec.UTF8), a)
                        .whenComplete((v, e) -> {
                            inFlight.release();
                            if (e == null) {
                                accepted.incrementAndGet();
                            } else {
                                refused.incrementAndGet();
                            }
                        });
                n++;
                sent.incrementAndGet();
            }
            open.forEach(StatefulRedisConnection::flushCommands);
            sleep(1);
        }
        open.forEach(StatefulRedisConnection::close);
        client.shutdown();
    }

    private static double reservationRows(SimpleMeterRegistry registry) {
        return registry.get("inventory.sync.rows").tag("kind", "reservation").counter().count();
    }

    private static HikariDataSource pool(String url) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername("root");
        cfg.setPassword("");
        cfg.setMaximumPoolSize(4);
        cfg.setConnectionTimeout(1000);
        cfg.setInitializationFailTimeout(-1);
        return new HikariDataSource(cfg);
    }

    private static String stringArg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A TCP proxy to the database that can drop everything and refuse connections for a while. */
    private static final class Proxy {
        final int port;
        private final int target;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile ServerSocket server;

        Proxy(int target) throws IOException {
            this.target = target;
            this.server = listen(0);
            this.port = server.getLocalPort();
            accept(server);
        }

        synchronized void cut() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
            sockets.clear();
        }

        synchronized void restore() throws IOException {
            server = listen(port);
            accept(server);
        }

        private static ServerSocket listen(int port) throws IOException {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return s;
        }

        private void accept(ServerSocket listening) {
            Thread t = new Thread(() -> {
                while (!listening.isClosed()) {
                    try {
                        Socket client = listening.accept();
                        Socket upstream = new Socket("127.0.0.1", target);
                        client.setTcpNoDelay(true);
                        upstream.setTcpNoDelay(true);
                        sockets.add(client);
                        sockets.add(upstream);
                        pump(client, upstream);
                        pump(upstream, client);
                    } catch (IOException e) {
                        // closed by cut()
                    }
                }
            }, "proxy-accept");
            t.setDaemon(true);
            t.start();
        }

        private static void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[65536];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // one side went away
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            }, "proxy-pump");
            t.setDaemon(true);
            t.start();
        }
    }
}
