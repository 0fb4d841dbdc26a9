package dev.seckill.service.http;

import static dev.seckill.service.TestPlatform.ADMIN_TOKEN;
import static dev.seckill.service.TestPlatform.SERVICE_TOKEN;
import static dev.seckill.service.TestPlatform.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.seckill.service.SharedPlatform;
import dev.seckill.service.TestPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.context.WebServerApplicationContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The front door over raw sockets, where HTTP/1.1's framing shows: it answers plain purchases
 * itself (its status line says "201 Created"; Tomcat's says "201 " with no reason phrase) and
 * relays everything else to Tomcat in order, on the same kept-alive connection, with pipelined
 * requests, chunked bodies, HEAD, refusals that close the connection and bad request lines.
 */
@ExtendWith(SharedPlatform.class)
class FrontDoorTest {
    private final TestPlatform platform;

    FrontDoorTest(TestPlatform platform) {
        this.platform = platform;
    }

    /** One answer as it came over the wire. */
    record Reply(String statusLine, Map<String, String> headers, String body) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        boolean fromTheDoor() {
            return !statusLine.endsWith(" "); // Tomcat sends no reason phrase
        }
    }

    private String sale(int stock) {
        String id = unique("door");
        var a = platform.createSale("{\"id\":\"" + id + "\",\"sku\":\"" + id + "\",\"stock\":" + stock + "}");
        assertThat(a.status()).as(a.toString()).isEqualTo(201);
        return id;
    }

    private static String purchase(String sale, String key, String user, String extraHeaders) {
        String body = "{\"userId\":\"" + user + "\",\"quantity\":1}";
        return "POST /api/v1/sales/" + sale + "/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + SERVICE_TOKEN
                + "\r\nContent-Type: application/json\r\nIdempotency-Key: " + key + "\r\n" + extraHeaders
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String get(String path, String token) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderWhoeverAnswersThem() throws IOException {
        String sale = sale(1);
        try (Socket s = connect()) {
            // five requests in one write: door, Tomcat, door, Tomcat, door
            send(s, purchase(sale, "p1", "ann", "")
                    + get("/api/v1/sales/" + sale, SERVICE_TOKEN)
                    + purchase(sale, "p2", "bob", "")
                    + get("/actuator/health", null)
                    + purchase(sale, "p1", "ann", ""));
            InputStream in = s.getInputStream();
            Reply first = read(in, false);
            Reply stock = read(in, false);
            Reply soldOut = read(in, false);
            Reply health = read(in, false);
            Reply replay = read(in, false);

            assertThat(first.status()).as(first.toString()).isEqualTo(201);
            assertThat(first.fromTheDoor()).as("the door answered the purchase: %s", first).isTrue();
            assertThat(first.header("Location")).startsWith("/api/v1/orders/o-");
            assertThat(stock.status()).isEqualTo(200);
            assertThat(stock.fromTheDoor()).as("Tomcat answered the GET").isFalse();
            assertThat(stock.body()).contains("\"available\":0", "\"reserved\":1");
            assertThat(soldOut.status()).isEqualTo(409);
            assertThat(soldOut.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(soldOut.body()).contains("\"code\":\"SOLD_OUT\"");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");
            assertThat(replay.status()).isEqualTo(201);
            assertThat(replay.body()).isEqualTo(first.body());
        }
    }

    @Test
    void whatTheDoorDoesNotTakeTomcatAnswersAsBefore() throws IOException {
        String sale = sale(5);
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            // no token: Tomcat's 401 with its challenge
            send(s, purchase(sale, "n1", "cy", "").replace("Authorization: Bearer " + SERVICE_TOKEN + "\r\n", ""));
            Reply noToken = read(in, false);
            assertThat(noToken.status()).isEqualTo(401);
            assertThat(noToken.fromTheDoor()).isFalse();
            assertThat(noToken.header("WWW-Authenticate")).contains("Bearer");

            // a body the door's reader does not take (an extra member): Spring words the refusal
            String odd = "{\"userId\":\"cy\",\"quantity\":1,\"x\":1}";
            send(s, "POST /api/v1/sales/" + sale + "/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + SERVICE_TOKEN + "\r\nContent-Type: application/json\r\nIdempotency-Key: n2\r\nContent-Length: "
                    + odd.length() + "\r\n\r\n" + odd);
            Reply oddBody = read(in, false);
            assertThat(oddBody.status()).as(oddBody.toString()).isEqualTo(400);
            assertThat(oddBody.fromTheDoor()).isFalse();
            assertThat(oddBody.body()).contains("\"field\":\"x\"");
        }
        try (Socket s = connect()) {
            // a chunked body goes to Tomcat as it comes, and the purchase is made there
            String body = "{\"userId\":\"dee\",\"quantity\":1}";
            send(s, "POST /api/v1/sales/" + sale + "/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + SERVICE_TOKEN + "\r\nContent-Type: application/json\r\nIdempotency-Key: c1\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
                    + Integer.toHexString(body.length() - 10) + "\r\n" + body.substring(10) + "\r\n0\r\n\r\n");
            Reply chunked = read(s.getInputStream(), false);
            assertThat(chunked.status()).as(chunked.toString()).isEqualTo(201);
            assertThat(chunked.fromTheDoor()).isFalse();
            // HEAD: headers only, and the connection serves the next request
            send(s, "HEAD /actuator/health HTTP/1.1\r\nHost: x\r\n\r\n" + purchase(sale, "c2", "eve", ""));
            Reply head = read(s.getInputStream(), true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            Reply after = read(s.getInputStream(), false);
            assertThat(after.status()).isEqualTo(201);
            assertThat(after.fromTheDoor()).isTrue();
        }
    }

    @Test
    void connectionCloseAndBadRequestsCloseTheConnection() throws IOException {
        String sale = sale(5);
        try (Socket s = connect()) {
            send(s, purchase(sale, "z1", "fay", "Connection: close\r\n"));
            Reply r = read(s.getInputStream(), false);
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(s.getInputStream().read()).as("closed after the answer").isEqualTo(-1);
        }
        try (Socket s = connect()) {
            send(s, "BREW /pot\r\n\r\n");
            Reply r = read(s.getInputStream(), false);
            assertThat(r.status()).isEqualTo(400);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket s = connect()) {
            send(s, "GET /actuator/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            Reply r = read(s.getInputStream(), false);
            assertThat(r.status()).as("headers over the limit").isEqualTo(400);
        }
    }

    @Test
    void aHugeBodyIsRefusedByTomcatAndTheConnectionClosed() throws Exception {
        try (Socket s = connect()) {
            int size = 64 * 1024 * 1024;
            send(s, "POST /api/v1/sales HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ADMIN_TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + size + "\r\n\r\n");
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int sent = 0; sent < size; sent += chunk.length) {
                        s.getOutputStream().write(chunk);
                    }
                } catch (IOException closed) {
                    // the door stopped reading and closed after the refusal
                }
            });
            writer.setDaemon(true);
            writer.start();
            Reply r = read(s.getInputStream(), false);
            assertThat(r.status()).as(r.toString()).isEqualTo(413);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(platform.get("/actuator/health", null).status()).isEqualTo(200);
    }

    @Test
    void tomcatListensOnlyOnALoopbackPortOfItsOwn() throws IOException {
        var server = ((WebServerApplicationContext) platform.context()).getWebServer();
        assertThat(server).isInstanceOf(FrontedTomcatFactory.Fronted.class);
        int tomcatPort = ((FrontedTomcatFactory.Fronted) server).tomcat().getPort();
        assertThat(server.getPort()).isEqualTo(platform.port()).isNotEqualTo(tomcatPort);
        InetAddress other = firstNonLoopbackAddress();
        if (other != null) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(other, tomcatPort), 2000);
                throw new AssertionError("Tomcat answered on " + other);
            } catch (ConnectException expected) {
                // refused: bound to loopback only
            }
        }
    }

    @Test
    void withTheDoorOffTomcatListensItselfAndPurchasesWork(@TempDir Path dir) throws IOException {
        try (TestPlatform off = TestPlatform.start(dir, "seckill.http.front-door.enabled=false")) {
            var a = off.createSale("{\"id\":\"off\",\"sku\":\"off\",\"stock\":1}");
            assertThat(a.status()).isEqualTo(201);
            try (Socket s = new Socket("127.0.0.1", off.port())) {
                s.setSoTimeout(10_000);
                send(s, purchase("off", "o1", "gus", "") + purchase("off", "o2", "hal", ""));
                Reply bought = read(s.getInputStream(), false);
                Reply soldOut = read(s.getInputStream(), false);
                assertThat(bought.status()).isEqualTo(201);
                assertThat(bought.fromTheDoor()).as("Tomcat itself").isFalse();
                assertThat(bought.header("Content-Length")).as("PurchaseEndpoint's answer").isNotNull();
                assertThat(soldOut.status()).isEqualTo(409);
            }
            assertThat(off.context().containsBean("frontDoor")).isFalse();
        }
    }

    // ---- a minimal HTTP/1.1 reader ----------------------------------------------------------

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", platform.port());
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static Reply read(InputStream in, boolean head) throws IOException {
        String status = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (!head) {
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int n = Integer.parseInt(line(in).trim(), 16); n > 0; n = Integer.parseInt(line(in).trim(), 16)) {
                    body.write(in.readNBytes(n));
                    line(in);
                }
                line(in);
            } else if (headers.containsKey("content-length")) {
                body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            }
        }
        return new Reply(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        List<Byte> bytes = new ArrayList<>();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed mid-answer");
            }
            bytes.add((byte) b);
        }
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i);
        }
        String s = new String(out, StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static InetAddress firstNonLoopbackAddress() throws IOException {
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (var addr : java.util.Collections.list(nic.getInetAddresses())) {
                if (!addr.isLoopbackAddress() && addr instanceof java.net.Inet4Address) {
                    return addr;
                }
            }
        }
        return null;
    }
}
