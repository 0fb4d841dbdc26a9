package dev.seckill.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The whole platform on its embedded default, started in this JVM the way {@code java -jar}
 * starts it, but on free ports with its data (counter-store log, H2 file) under a directory the
 * test owns. Closing it shuts the application down gracefully; starting it again on the same
 * directory is a restart. Talks to it over real HTTP with the JDK client.
 */
public final class TestPlatform implements AutoCloseable {
    public static final String SERVICE_TOKEN = "test-service-token";
    public static final String ADMIN_TOKEN = "test-admin-token";
    private static final AtomicLong IDS = new AtomicLong(System.nanoTime() % 100_000);
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // the JDK client keeps idle connections 20 minutes, Tomcat closes them after 60 s: a
        // connection reused just as Tomcat closes it fails with "header parser received no bytes"
        // (seen when the shared platform sat idle while other classes ran). Drop them first.
        System.setProperty("jdk.httpclient.keepalive.timeout", "30");
    }

    private final ConfigurableApplicationContext context;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    private TestPlatform(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** The embedded default with its data under {@code dir}. */
    public static TestPlatform start(Path dir, String... extraProperties) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("server.port", "0");
        p.put("store.embedded.port", "0");
        p.put("store.embedded.data-dir", dir.resolve("counter-store").toString());
        p.put("spring.datasource.url", "jdbc:h2:file:" + dir.resolve("rds").resolve("seckill").toAbsolutePath()
                + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;WRITE_DELAY=0"); // as application.properties
        p.put("SECKILL_SERVICE_TOKEN", SERVICE_TOKEN);
        p.put("SECKILL_ADMIN_TOKEN", ADMIN_TOKEN);
        for (String kv : extraProperties) {
            int eq = kv.indexOf('=');
            p.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        // as command-line arguments: they outrank application.properties, as they do for java -jar
        String[] args = p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(SeckillServiceApplication.class).run(args);
        return new TestPlatform(ctx);
    }

    /** A name no other test of this JVM uses: {@code prefix-17}. */
    public static String unique(String prefix) {
        return prefix + "-" + IDS.incrementAndGet();
    }

    public int port() {
        return port;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    // ---- HTTP ------------------------------------------------------------------------------

    /** One HTTP answer: status, headers, and the body as JSON (null if empty or not JSON). */
    public record Answer(int status, HttpResponse<String> raw, JsonNode json) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String code() {
            return json == null || json.get("code") == null ? null : json.get("code").asText();
        }

        public String text(String field) {
            return json.get(field) == null ? null : json.get(field).asText();
        }

        public long number(String path) {
            JsonNode n = json.at(path.startsWith("/") ? path : "/" + path);
            if (!n.isNumber()) {
                throw new AssertionError("no number at " + path + " in " + raw.body());
            }
            return n.asLong();
        }

        @Override
        public String toString() {
            return status + " " + raw.body();
        }
    }

    /** {@code POST /api/v1/sales/{sale}/orders} with the given token. */
    public Answer buy(String token, String sale, String idempotencyKey, String user, int quantity) {
        return post("/api/v1/sales/" + sale + "/orders", token,
                "{\"userId\":\"" + user + "\",\"quantity\":" + quantity + "}", "Idempotency-Key", idempotencyKey);
    }

    public Answer get(String path, String token) {
        return send(request(path, token).GET().build());
    }

    /** POST of a JSON body; {@code headers} are name, value pairs. */
    public Answer post(String path, String token, String json, String... headers) {
        HttpRequest.Builder b = request(path, token).header("Content-Type", "application/json")
                .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    /** {@code POST /api/v1/sales} with the admin token. */
    public Answer createSale(String json) {
        return post("/api/v1/sales", ADMIN_TOKEN, json);
    }

    /** {@code POST /api/v1/sales/{sale}/orders} with the service token. */
    public Answer buy(String sale, String idempotencyKey, String user, int quantity) {
        return post("/api/v1/sales/" + sale + "/orders", SERVICE_TOKEN,
                "{\"userId\":\"" + user + "\",\"quantity\":" + quantity + "}", "Idempotency-Key", idempotencyKey);
    }

    /** The sale's live stock as {total, available, reserved, sold}. */
    public long[] stock(String sale) {
        Answer a = get("/api/v1/sales/" + sale, SERVICE_TOKEN);
        if (a.status() != 200) {
            throw new AssertionError("GET sale " + sale + ": " + a);
        }
        return new long[] {a.number("/stock/total"), a.number("/stock/available"), a.number("/stock/reserved"),
                a.number("/stock/sold")};
    }

    public HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    public Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (!r.body().isEmpty() && type.contains("json")) {
                json = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), r, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
