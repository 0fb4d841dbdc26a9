package dev.seckill.perf;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.seckill.perf.openloop.AnswerReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP generator against the JDK's own small HTTP server in this JVM. */
class HttpOfferedLoadTest {
    private static final long MS = 1_000_000;
    private static final Pattern BUYER = Pattern.compile("\\{\"userId\":\"u-(t-(\\d+))\",\"quantity\":1}");

    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final ExecutorService handlers = Executors.newFixedThreadPool(4);
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        handlers.shutdownNow();
    }

    /**
     * Starts a server answering purchases of sale {@code s1}: buyer n (from the body, which must
     * name the same buyer as the Idempotency-Key, else 400) gets 201, 409, 429, 503 or 500 by n
     * mod 5, every other answer chunked, and every seventh with {@code Connection: close}.
     */
    private URI serve(long handlingMillis) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(handlers);
        server.createContext("/api/v1/sales/s1/orders", exchange -> {
            try (exchange) {
                answer(exchange, handlingMillis);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void answer(HttpExchange exchange, long handlingMillis) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher buyer = BUYER.matcher(body);
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        boolean ok = exchange.getRequestMethod().equals("POST") && buyer.matches() && ("k-" + buyer.group(1)).equals(key)
                && "Bearer svc-test".equals(exchange.getRequestHeaders().getFirst("Authorization"));
        if (handlingMillis > 0) {
            sleep(handlingMillis);
        }
        int n = ok ? Integer.parseInt(buyer.group(2)) : 0;
        int status = !ok ? 400 : new int[] {201, 409, 429, 503, 500}[n % 5];
        if (ok) {
            keys.add(key);
        }
        if (n % 7 == 3) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
        byte[] answer = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, n % 2 == 0 ? 0 : answer.length); // 0: chunked
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HttpOfferedLoad connect(URI url, int connections) throws IOException {
        return HttpOfferedLoad.connect(new InetSocketAddress(url.getHost(), url.getPort()), connections,
                HttpOfferedLoad.purchase(url, "s1", "svc-test", "t-"));
    }

    @Test
    void countsAnswersByStatusEachRequestANewBuyer() throws Exception {
        URI url = serve(0);
        try (HttpOfferedLoad load = connect(url, 4)) {
            HttpOfferedLoad.Step step = load.run(200, 1.0, 30);
            assertThat(step.requests()).isEqualTo(200);
            assertThat(step.unanswered()).isZero();
            assertThat(step.latencies().getTotalCount()).isEqualTo(200);
            assertThat(step.created()).isEqualTo(40);
            assertThat(step.conflicts()).isEqualTo(40);
            assertThat(step.statuses()[429]).isEqualTo(40);
            assertThat(step.statuses()[503]).isEqualTo(40);
            assertThat(step.otherStatuses()).isEqualTo(40); // the 500s; no 400: every request named one buyer
            assertThat(step.statuses()[500]).isEqualTo(40);
            assertThat(step.statuses()[AnswerReader.CLOSED]).isZero();
            // 40% fast rejections and errors: the step does not count as kept up
            assertThat(step.keptUp()).isFalse();
            assertThat(step.csv("t", "purchase", 4)).startsWith("t,purchase,4,200,").endsWith(",40,40,40,40,40,40,0,"
                    + String.format(java.util.Locale.ROOT, "%.1f", step.cpuMicrosPerRequest()));
            // answers with Connection: close were followed by a new connection, and the run went on
            assertThat(load.reopened()).isGreaterThanOrEqualTo(200 / 7);
            HttpOfferedLoad.Step second = load.run(100, 0.5, 30);
            assertThat(second.requests()).isEqualTo(50);
            assertThat(second.unanswered()).isZero();
            assertThat(second.created()).isEqualTo(10);
        }
        assertThat(keys).hasSize(250);
    }

    /**
     * One connection, a server taking 100 ms per answer, buyers arriving every 20 ms: the
     * requests wait for the connection in the generator, and each one's latency runs from the
     * moment it was due, not from when it could go out. Buyer k (from 0) is answered no sooner
     * than 100 ms x (k + 1) after the start, though due at 20 ms x k: at least 100 + 80 k ms. Timed
     * from the send, every one would look like about 100 ms.
     */
    @Test
    void requestsWaitingForAConnectionAreTimedFromWhenTheyWereDue() throws Exception {
        URI url = serve(100);
        try (HttpOfferedLoad load = connect(url, 1)) {
            HttpOfferedLoad.Step step = load.run(50, 0.4, 30);
            assertThat(step.requests()).isEqualTo(20);
            assertThat(step.unanswered()).isZero();
            assertThat(step.latencies().getTotalCount()).isEqualTo(20);
            assertThat(step.latencies().getMinValue()).isGreaterThanOrEqualTo(100 * MS);
            assertThat(step.latencies().getMaxValue()).isGreaterThanOrEqualTo((100 + 80 * 19) * MS);
            assertThat(step.latencies().getValueAtPercentile(50)).isGreaterThanOrEqualTo((100 + 80 * 9) * MS);
            assertThat(step.keptUp()).isFalse(); // 10 answers/s for 50 offered
        }
    }
}
