package dev.seckill.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded platform's promise, tested against a real {@code kill -9}: the built jar runs with
 * no configuration but ports and tokens (store, H2 with {@code WRITE_DELAY=0}, the in-process sync
 * and the API in one JVM) in a temp dir; buyers buy from many threads, and the JVM is killed
 * (SIGKILL: {@link Process#destroyForcibly()}, exit 137) twice: once in the middle of a burst, once
 * the moment the sync has committed and acknowledged the burst that sold the sale out (the last
 * RDS commit is then milliseconds old: H2 with a write delay would still hold it in memory).
 * After each restart in the same directory:
 * <ul>
 *   <li>every order answered 201 before a kill is there (GET), and replaying its
 *       {@code Idempotency-Key} answers the same 201 body;</li>
 *   <li>{@code reserved + sold} lies between the 201s and the 201s plus the requests whose answer
 *       never came (or was a 503); those are then sent again, and from then on it equals the
 *       orders exactly, never over the stock;</li>
 *   <li>once the sync has caught up with the store (by the store's own {@code INFO inventory}),
 *       the admin reconciliation finds no difference.</li>
 * </ul>
 * At the end the service is stopped and the H2 file read directly: its reservation rows are
 * exactly the orders, its SKU row the store's figures.
 *
 * <p>Ports: {@code -Dembedded-crash.http-port=8481 -Dembedded-crash.store-port=6481}. More flags for
 * the jar, space-separated: {@code -Dembedded-crash.jar-args=...}; e.g. the H2 URL without
 * {@code WRITE_DELAY=0} ({@code --spring.datasource.url=jdbc:h2:file:./data/rds/seckill;MODE=MySQL;DATABASE_TO_LOWER=TRUE})
 * fails this test: the RDS loses commits the sync had acknowledged.
 */
class EmbeddedCrashIT {
    private static final int HTTP_PORT = Integer.getInteger("embedded-crash.http-port", 8481);
    private static final int STORE_PORT = Integer.getInteger("embedded-crash.store-port", 6481);
    private static final String SERVICE = "crash-it-service-token";
    private static final String ADMIN = "crash-it-admin-token";
    private static final int BUYERS = 12;
    private static final int STOCK = 700;
    private static final String SALE = "crash";
    private static final String SKU = "crash-sku";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path dir;
    static Process platform;

    /** Every 201 by Idempotency-Key, and every request whose fate is unknown (no answer, 503). */
    private final Map<String, Order> accepted = new ConcurrentHashMap<>();
    private final Map<String, String> unknown = new ConcurrentHashMap<>();
    private final AtomicInteger throttled = new AtomicInteger();
    private final AtomicInteger notSent = new AtomicInteger();
    private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    private int kills;
    private int unresolvedTotal;

    private record Order(String userId, String orderId, String body) {
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null && platform.isAlive()) {
            platform.destroyForcibly();
        }
    }

    @Test
    void acknowledgedPurchasesAndTheRdsSurviveKill9() throws Exception {
        long t0 = System.nanoTime();
        start();
        HttpResponse<String> created = send(post("/api/v1/sales", ADMIN, null, "{\"id\":\"" + SALE + "\",\"sku\":\"" + SKU
                + "\",\"stock\":" + STOCK + ",\"reservationTtl\":\"PT1H\"}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        // 1: kill -9 in the middle of a burst
        Burst first = new Burst(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 300);
        kill();
        first.stop();
        start();
        check();

        // 2: a burst that sells out; kill -9 the moment the sync has committed and acknowledged it
        Burst second = new Burst(2);
        await().atMost(Duration.ofSeconds(30)).until(second::soldOut);
        second.stop();
        long last = storeInfo("feed_last_seq");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> storeInfo("feed_acked_seq") >= last);
        kill();
        start();
        check();
        assertThat(stock().get("sold").asLong() + stock().get("reserved").asLong()).as("sold out").isEqualTo(STOCK);

        stop();
        checkRds();
        assertThat(unexpected).as("answers other than 201, 409 SOLD_OUT, 429, 503").isEmpty();
        System.out.printf("EmbeddedCrashIT: %d orders (201 or resolved), %d requests without a known answer, "
                        + "%d refused connections, %d 429s, %d kills, %.1f s%n", accepted.size(), unresolvedTotal,
                notSent.get(), throttled.get(), kills,
                (System.nanoTime() - t0) / 1e9);
    }

    /** After a restart: the orders are there and replay, the stock adds up, the RDS equals the store. */
    private void check() throws Exception {
        JsonNode s = stock();
        assertThat(s.get("total").asLong()).isEqualTo(STOCK);
        assertThat(s.get("total").asLong()).as("total == available + reserved + sold: %s", s)
                .isEqualTo(s.get("available").asLong() + s.get("reserved").asLong() + s.get("sold").asLong());
        long held = s.get("reserved").asLong() + s.get("sold").asLong();
        assertThat(held).as("units held vs %d 201s and %d unknown", accepted.size(), unknown.size())
                .isBetween((long) accepted.size(), (long) accepted.size() + unknown.size()).isLessThanOrEqualTo(STOCK);
        System.out.printf("EmbeddedCrashIT: after kill %d: %d 201s, %d unknown of which %d took units%n",
                kills, accepted.size(), unknown.size(), held - accepted.size());

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> checks = new ArrayList<>();
            for (Map.Entry<String, Order> e : accepted.entrySet()) {
                checks.add(pool.submit(() -> {
                    checkOrder(e.getKey(), e.getValue());
                    return null;
                }));
            }
            for (Future<?> f : checks) {
                f.get(60, TimeUnit.SECONDS);
            }
            // the requests of unknown fate, sent again: each is an order now (its first one, or a new one)
            unresolvedTotal += unknown.size();
            for (Map.Entry<String, String> e : Map.copyOf(unknown).entrySet()) {
                HttpResponse<String> r = buyUntilAnswered(e.getKey(), e.getValue());
                if (r.statusCode() == 201) {
                    accepted.put(e.getKey(), new Order(e.getValue(), JSON.readTree(r.body()).get("orderId").asText(), r.body()));
                } else {
                    assertThat(r.statusCode()).as("request of unknown fate, sent again: %s", r.body()).isEqualTo(409);
                    assertThat(r.body()).contains("SOLD_OUT");
                }
                unknown.remove(e.getKey());
            }
        } finally {
            pool.shutdownNow();
        }
        s = stock();
        assertThat(s.get("reserved").asLong() + s.get("sold").asLong()).as("units held == orders: %s", s)
                .isEqualTo(accepted.size());
        assertThat(accepted.values().stream().map(Order::orderId).distinct().count()).isEqualTo(accepted.size());

        long last = storeInfo("feed_last_seq");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(storeInfo("feed_acked_seq")).as("the sync acknowledged the store's feed").isGreaterThanOrEqualTo(last);
            assertThat(health().at("/components/sync/details/appliedSeq").asLong())
                    .as("the RDS checkpoint reaches the store's feed (%d); one that stays behind lost acknowledged commits", last)
                    .isGreaterThanOrEqualTo(last);
        });
        HttpResponse<String> run = send(post("/admin/api/reconciliations", ADMIN, null, ""));
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        JsonNode r = JSON.readTree(run.body());
        assertThat(r.get("result").asText()).as(run.body()).isEqualTo("consistent");
        assertThat(r.get("differences").asInt()).as(run.body()).isZero();
        assertThat(r.get("reservationsChecked").asLong()).as(run.body()).isGreaterThanOrEqualTo(accepted.size());
    }

    private void checkOrder(String key, Order o) throws Exception {
        HttpResponse<String> got = send(get("/api/v1/orders/" + o.orderId(), SERVICE));
        assertThat(got.statusCode()).as("order %s answered 201 before a kill: %s", o.orderId(), got.body()).isEqualTo(200);
        JsonNode order = JSON.readTree(got.body());
        assertThat(order.get("orderId").asText()).isEqualTo(o.orderId());
        assertThat(order.get("status").asText()).as("nothing confirms, cancels or expires it").isEqualTo("RESERVED");
        HttpResponse<String> replay = buyUntilAnswered(key, o.userId());
        assertThat(replay.statusCode()).as("replay of %s: %s", key, replay.body()).isEqualTo(201);
        assertThat(replay.body()).as("replay of %s", key).isEqualTo(o.body());
    }

    /** A purchase sent until it gets an answer about the order (429 and 503 are not). */
    private HttpResponse<String> buyUntilAnswered(String key, String userId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            HttpResponse<String> r = send(buyRequest(key, userId));
            if ((r.statusCode() != 429 && r.statusCode() != 503) || System.nanoTime() > deadline) {
                return r;
            }
            Thread.sleep(50);
        }
    }

    /** Buyers on their own threads, each request a new buyer (user id and key), until stopped. */
    private final class Burst {
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final AtomicBoolean soldOut = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        Burst(int round) {
            for (int t = 0; t < BUYERS; t++) {
                int thread = t;
                Thread buyer = new Thread(() -> {
                    for (int n = 0; !stopped.get() && !soldOut.get(); n++) {
                        buyOnce("k-" + round + "-" + thread + "-" + n, "u-" + round + "-" + thread + "-" + n);
                    }
                }, "buyer-" + round + "-" + t);
                buyer.setDaemon(true);
                buyer.start();
                threads.add(buyer);
            }
        }

        private void buyOnce(String key, String userId) {
            try {
                HttpResponse<String> r = HTTP.send(buyRequest(key, userId), HttpResponse.BodyHandlers.ofString());
                switch (r.statusCode()) {
                    case 201 -> accepted.put(key, new Order(userId, JSON.readTree(r.body()).get("orderId").asText(), r.body()));
                    case 429 -> throttled.incrementAndGet();
                    case 503 -> unknown.put(key, userId);
                    case 409 -> {
                        if (r.body().contains("SOLD_OUT")) {
                            soldOut.set(true);
                        } else {
                            unexpected.add(r.statusCode() + " " + r.body());
                        }
                    }
                    default -> unexpected.add(r.statusCode() + " " + r.body());
                }
            } catch (java.net.ConnectException e) {
                notSent.incrementAndGet(); // the JVM was gone already: nothing reached it
            } catch (IOException e) {
                unknown.put(key, userId); // sent, perhaps applied, never answered
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unknown.put(key, userId);
            }
        }

        boolean soldOut() {
            return soldOut.get();
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(15));
                assertThat(t.isAlive()).as("%s stopped", t.getName()).isFalse();
            }
        }
    }

    // --- the platform process ---

    private static void start() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path jar = Path.of("target", "seckill-service.jar").toAbsolutePath();
        assertThat(jar).as("the boot jar (failsafe runs after package)").exists();
        // C1 only: a quicker start and less of the shared box's CPU; nothing here measures speed
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                "--server.port=" + HTTP_PORT, "--store.embedded.port=" + STORE_PORT)
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("platform.log").toFile()));
        String extra = System.getProperty("embedded-crash.jar-args", "").trim();
        if (!extra.isEmpty()) {
            pb.command().addAll(List.of(extra.split("\\s+")));
        }
        pb.environment().put("SECKILL_SERVICE_TOKEN", SERVICE);
        pb.environment().put("SECKILL_ADMIN_TOKEN", ADMIN);
        long t0 = System.nanoTime();
        platform = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertThat(platform.isAlive()).as("the platform runs; its log ends:%n%s", logTail()).isTrue();
            try {
                if (health().path("status").asText().equals("UP")) {
                    System.out.printf("EmbeddedCrashIT: the platform was up after %.1f s%n", (System.nanoTime() - t0) / 1e9);
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("health UP within 60 s; the log ends:%n%s", logTail()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** kill -9: on Linux destroyForcibly sends SIGKILL, which the exit status 128 + 9 confirms. */
    private void kill() throws Exception {
        platform.destroyForcibly();
        assertThat(platform.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(platform.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        kills++;
    }

    /** A graceful stop (SIGTERM), so the H2 file can be opened here. */
    private static void stop() throws Exception {
        platform.destroy();
        if (!platform.waitFor(30, TimeUnit.SECONDS)) {
            platform.destroyForcibly();
            throw new AssertionError("the platform did not stop within 30 s of SIGTERM");
        }
    }

    private static String logTail() {
        try {
            List<String> all = Files.readAllLines(dir.resolve("platform.log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The H2 file after the stop: reservation rows are exactly the orders, the SKU row the store's last figures. */
    private void checkRds() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("data/rds/seckill") + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE";
        Set<String> orders = new HashSet<>();
        accepted.values().forEach(o -> orders.add(o.orderId()));
        Set<String> rows = new HashSet<>();
        Map<String, Long> sku = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            try (PreparedStatement ps = c.prepareStatement("SELECT request_id, quantity, status FROM reservation WHERE sku = ?")) {
                ps.setString(1, SKU);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(rs.getString(1));
                        assertThat(rs.getLong(2)).isEqualTo(1);
                        assertThat(rs.getString(3)).isEqualTo("reserved");
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT total, available, reserved, sold FROM sku_inventory WHERE sku = ?")) {
                ps.setString(1, SKU);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("the SKU row").isTrue();
                    for (String col : List.of("total", "available", "reserved", "sold")) {
                        sku.put(col, rs.getLong(col));
                    }
                }
            }
        }
        assertThat(rows).as("the RDS's reservations are the orders answered 201").isEqualTo(orders);
        assertThat(sku).isEqualTo(Map.of("total", (long) STOCK, "available", 0L, "reserved", (long) orders.size(), "sold", 0L));
    }

    // --- HTTP and the store's INFO ---

    private static JsonNode stock() throws Exception {
        HttpResponse<String> r = send(get("/api/v1/sales/" + SALE, SERVICE));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("stock");
    }

    private static JsonNode health() throws Exception {
        return JSON.readTree(send(get("/actuator/health", ADMIN)).body());
    }

    /** One field of the store's {@code INFO inventory}, over RESP on its port. */
    private static long storeInfo(String field) throws IOException {
        try (Socket s = new Socket("127.0.0.1", STORE_PORT)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("*2\r\n$4\r\nINFO\r\n$9\r\ninventory\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String header = in.readLine();
            assertThat(header).startsWith("$");
            int length = Integer.parseInt(header.substring(1));
            char[] body = new char[length];
            for (int read = 0; read < length; ) {
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    throw new IOException("INFO cut short");
                }
                read += n;
            }
            for (String line : new String(body).split("\r\n")) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim());
                }
            }
            throw new AssertionError("INFO inventory has no " + field + ": " + new String(body));
        }
    }

    private static HttpRequest buyRequest(String key, String userId) {
        return post("/api/v1/sales/" + SALE + "/orders", SERVICE, key, "{\"userId\":\"" + userId + "\",\"quantity\":1}");
    }

    private static HttpRequest post(String path, String token, String key, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return b.build();
    }

    private static HttpRequest get(String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build();
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
