package dev.seckill.perf;

import dev.seckill.perf.openloop.RespFraming;
import dev.seckill.perf.openloop.RequestTemplate;
import dev.seckill.perf.openloop.RespCommandTemplate;
import dev.seckill.store.StoreConfig;
import dev.seckill.store.server.StoreNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator against a real counter-store in this JVM (one-node group, fsync'd). */
class OfferedLoadTest {
    @Test
    void offersTheRateAndEveryReservationArrivesOnce(@TempDir Path dir) throws Exception {
        try (StoreNode store = StoreNode.start(StoreConfig.defaults().withPort(0).withDataDir(dir))) {
            assertThat(call(store.port(), "INV.CREATE", "stock", "1000000")).isEqualTo("+OK\r\n");
            RequestTemplate reserve = new RespCommandTemplate(List.of("INV.RESERVE", "stock", "1", RequestTemplate.ID), "t-");
            try (OfferedLoad load = OfferedLoad.connect(new InetSocketAddress("127.0.0.1", store.port()), 4, reserve)) {
                long started = System.nanoTime();
                OfferedLoad.Step step = load.run(2_000, 1.5, 30);
                // open loop: the requests go out over the step's 1.5 s, never faster than the
                // schedule (how many come back within it depends on how busy the machine is)
                assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(1_500_000_000L);
                assertThat(step.achieved()).isLessThanOrEqualTo(2_100.0);
                assertThat(step.requests()).isEqualTo(3_000);
                assertThat(step.errors()).isZero();
                assertThat(step.latencies().getTotalCount()).isEqualTo(3_000);
                assertThat(step.latencies().getMinValue()).isPositive();
            }
            // each request was a new reservation (a fresh id each): 3000 units held, none twice
            assertThat(call(store.port(), "INV.GET", "stock")).contains(":1000000\r\n", ":997000\r\n", ":3000\r\n");
        }
    }

    @Test
    void errorRepliesAreCountedAsErrors(@TempDir Path dir) throws Exception {
        try (StoreNode store = StoreNode.start(StoreConfig.defaults().withPort(0).withDataDir(dir))) {
            RequestTemplate unknownSku = new RespCommandTemplate(List.of("INV.RESERVE", "no-such-sku", "1", RequestTemplate.ID), "e-");
            try (OfferedLoad load = OfferedLoad.connect(new InetSocketAddress("127.0.0.1", store.port()), 2, unknownSku)) {
                OfferedLoad.Step step = load.run(500, 0.5, 10);
                assertThat(step.requests()).isEqualTo(250);
                assertThat(step.errors()).isEqualTo(250);
            }
        }
    }

    /** One command over a plain socket; the whole reply as text. */
    private static String call(int port, String... words) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
            for (String w : words) {
                request.append('$').append(w.length()).append("\r\n").append(w).append("\r\n");
            }
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            InputStream in = socket.getInputStream();
            ByteBuffer reply = ByteBuffer.allocate(4096);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed before a whole reply");
                }
                reply.put((byte) b);
                ByteBuffer view = reply.duplicate().flip();
                if (RespFraming.RESP.next(view) != RespFraming.INCOMPLETE) {
                    return new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
                }
            }
        }
    }
}
