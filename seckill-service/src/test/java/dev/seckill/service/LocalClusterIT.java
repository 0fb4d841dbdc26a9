package dev.seckill.service;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * deploy/local-cluster.sh as an operator runs it: three store nodes, the sync and the service as
 * separate JVMs on a real MariaDB, the sync and the service given all three store addresses.
 * Buys, kills the store's leader with kill -9, buys again through the same service; restarts it,
 * kills the node the service talks to then, and buys again. The RDS must end exact, and the
 * killed nodes, restarted, catch up.
 *
 * <p>Ports and the database name prefix can be moved with {@code -Dlocal-cluster.store-ports="7311 7312 7313"}
 * (Raft uses these + 100), {@code -Dlocal-cluster.service-port=8391} and {@code -Dlocal-cluster.database-prefix=lc_it_}.
 */
class LocalClusterIT {
    private static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String STORE_PORTS = System.getProperty("local-cluster.store-ports", "7311 7312 7313");
    private static final int SERVICE_PORT = Integer.getInteger("local-cluster.service-port", 8391);
    private static final String DATABASE_PREFIX = System.getProperty("local-cluster.database-prefix", "lc_it_");

    @TempDir
    static Path dir;
    static String database;
    static Map<String, String> env;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void up() throws Exception {
        database = DATABASE_PREFIX + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        sql("CREATE DATABASE " + database);
        env = Map.of("CLUSTER_DIR", dir.toString(), "JDBC_URL", MARIADB + database, "STORE_PORTS", STORE_PORTS,
                "SERVICE_PORT", String.valueOf(SERVICE_PORT), "STORE_JAVA_OPTS", "-Xms256m -Xmx256m");
        Result r = cluster(240, "up");
        assertThat(r.exit).as(r.output).isZero();
    }

    @AfterAll
    static void down() throws Exception {
        if (env != null) {
            Result r = cluster(120, "down");
            assertThat(r.exit).as(r.output).isZero();
            try (var pids = Files.list(dir.resolve("pids"))) {
                assertThat(pids.toList()).as("every part stopped and forgot its pid").isEmpty();
            }
        }
        sql("DROP DATABASE IF EXISTS " + database);
    }

    @Test
    void theSaleGoesOnWhenTheLeaderAndTheServicesNodeAreKilled() throws Exception {
        Map<String, String> tokens = tokens();
        String admin = tokens.get("SECKILL_ADMIN_TOKEN");
        String service = tokens.get("SECKILL_SERVICE_TOKEN");
        HttpResponse<String> created = post("/api/v1/sales", admin, null,
                "{\"id\":\"rehearsal\",\"sku\":\"sku-rehearsal\",\"stock\":10,\"perUserLimit\":1}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        List<String> orders = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            orders.add(buy(service, i));
        }
        String leader = leader();
        String servicesNode = servicesNode(admin);
        System.out.printf("leader %s, the service talks to %s: kill -9 of the leader%n", leader, servicesNode);
        kill(leader);
        for (int i = 4; i <= 5; i++) {
            orders.add(buy(service, i));
        }
        assertThat(servicesNode(admin)).as("the service talks to a live node").isNotEqualTo(leader);
        // the sync (it was given every node too) brings the RDS to the same figures
        awaitRds(10, 5);

        // then the node the service talks to now (the leader again, perhaps), with all three up first
        restart(leader);
        String now = servicesNode(admin);
        System.out.printf("kill -9 of %s, the node the service talks to now (leader %s)%n", now, leader());
        kill(now);
        for (int i = 6; i <= 7; i++) {
            orders.add(buy(service, i));
        }
        assertThat(servicesNode(admin)).as("the service moved on from %s", now).isNotEqualTo(now);
        int bought = orders.size();
        assertThat(orders).doesNotHaveDuplicates();
        awaitRds(10, bought);

        restart(now);
        HttpResponse<String> sale = get("/api/v1/sales/rehearsal", admin);
        assertThat(sale.body()).contains("\"available\":" + (10 - bought), "\"reserved\":" + bought);
    }

    private static void kill(String node) throws Exception {
        Result killed = cluster(30, "kill", node);
        assertThat(killed.exit).as(killed.output).isZero();
    }

    /** Starts a killed node again and waits until it follows the leader and has its log. */
    private static void restart(String node) throws Exception {
        Result started = cluster(30, "start", node);
        assertThat(started.exit).as(started.output).isZero();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(cluster(30, "status").output).containsPattern(node + "\\s+port \\d+\\s+follower"));
        long leaderCommit = commitIndex(leader());
        await().atMost(Duration.ofSeconds(60)).until(() -> commitIndex(node) >= leaderCommit);
    }

    private static long commitIndex(String node) throws Exception {
        Matcher m = Pattern.compile(node + "\\s+port \\d+\\s+\\w+\\s+leader \\S+\\s+commit (\\d+)")
                .matcher(cluster(30, "status").output);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The RDS has exactly {@code reserved} of {@code total} units reserved, none sold. */
    private static void awaitRds(long total, long reserved) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(rdsStock("sku-rehearsal")).containsExactly(total, total - reserved, reserved, 0L));
    }

    /** The store node (n1, n2, n3) the service talks to, from its health page. */
    private static String servicesNode(String admin) throws Exception {
        HttpResponse<String> health = get("/actuator/health", admin);
        Matcher m = Pattern.compile("\"store\":\\{[^}]*\"uri\":\"redis://127\\.0\\.0\\.1:(\\d+)\"").matcher(health.body());
        assertThat(m.find()).as(health.body()).isTrue();
        String[] ports = STORE_PORTS.trim().split("\\s+");
        for (int i = 0; i < ports.length; i++) {
            if (ports[i].equals(m.group(1))) {
                return "n" + (i + 1);
            }
        }
        throw new AssertionError("the service talks to no node of the cluster: " + health.body());
    }

    /** Buys one unit for user i, retrying 503s (a leader election) with the same key. */
    private static String buy(String token, int i) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            HttpResponse<String> r = post("/api/v1/sales/rehearsal/orders", token, "key-" + i,
                    "{\"userId\":\"user-" + i + "\",\"quantity\":1}");
            if (r.statusCode() == 201) {
                Matcher m = Pattern.compile("\"orderId\":\"([^\"]+)\"").matcher(r.body());
                assertThat(m.find()).as(r.body()).isTrue();
                return m.group(1);
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(System.nanoTime()).as("still 503 after 20 s: %s%nthe service's log ends:%n%s", r.body(),
                    logTail("service", 40)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** The last lines of a part's log under the cluster directory, for a failure's message. */
    private static String logTail(String part, int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve("logs").resolve(part + ".log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String leader() throws Exception {
        Matcher m = Pattern.compile("(n\\d)\\s+port \\d+\\s+leader").matcher(cluster(30, "status").output);
        assertThat(m.find()).as("a node reports itself leader").isTrue();
        return m.group(1);
    }

    private static Map<String, String> tokens() throws IOException {
        Map<String, String> tokens = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("tokens.env"))) {
            int eq = line.indexOf('=');
            tokens.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return tokens;
    }

    private static List<Long> rdsStock(String sku) throws Exception {
        try (Connection c = DriverManager.getConnection(MARIADB + database, "root", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT total, available, reserved, sold FROM sku_inventory WHERE sku = '" + sku + "'")) {
            return rs.next() ? List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)) : List.of();
        }
    }

    private static HttpResponse<String> post(String path, String token, String key, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SERVICE_PORT + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SERVICE_PORT + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private record Result(int exit, String output) {
    }

    private static Result cluster(int timeoutSeconds, String... args) throws Exception {
        Path script = Path.of("..", "deploy", "local-cluster.sh").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        // into a file, not a pipe: waiting for the script must not depend on reading its output
        Path out = Files.createTempFile(dir, "cluster", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("local-cluster.sh " + String.join(" ", args) + " took over " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(MARIADB, "root", ""); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
