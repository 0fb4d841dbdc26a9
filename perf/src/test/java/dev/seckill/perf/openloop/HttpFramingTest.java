package dev.seckill.perf.openloop;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static dev.seckill.perf.openloop.AnswerFraming.INCOMPLETE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpFramingTest {
    private static final String CREATED = "HTTP/1.1 201 \r\nContent-Type: application/json\r\ncontent-length: 17\r\n\r\n"
            + "{\"orderId\":\"o-1\"}";
    private static final String SOLD_OUT_CHUNKED = "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "a;ext=1\r\n{\"code\":\"S\r\n5\r\nOLD\"}\r\n0\r\nX-Trailer: y\r\n\r\n";
    private static final String THROTTLED_CLOSE = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n"
            + "Connection: Close\r\nContent-Length: 0\r\n\r\n";

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void findsEachAnswerOfAStreamWithItsStatusAndWhetherItCloses() {
        HttpFraming framing = new HttpFraming();
        ByteBuffer in = bytes(CREATED + SOLD_OUT_CHUNKED + THROTTLED_CLOSE);
        assertThat(framing.next(in)).isEqualTo(201);
        assertThat(framing.closesConnection()).isFalse();
        assertThat(in.position()).isEqualTo(CREATED.length());
        assertThat(framing.next(in)).isEqualTo(409);
        assertThat(framing.closesConnection()).isFalse();
        assertThat(in.position()).isEqualTo(CREATED.length() + SOLD_OUT_CHUNKED.length());
        assertThat(framing.next(in)).isEqualTo(429);
        assertThat(framing.closesConnection()).isTrue();
        assertThat(in.hasRemaining()).isFalse();
        assertThat(framing.next(in)).isEqualTo(INCOMPLETE);
    }

    @Test
    void anAnswerCutAnywhereWaitsForTheRest() {
        for (String whole : new String[] {CREATED, SOLD_OUT_CHUNKED, THROTTLED_CLOSE}) {
            for (int cut = 0; cut < whole.length(); cut++) {
                ByteBuffer in = bytes(whole.substring(0, cut));
                assertThat(new HttpFraming().next(in)).as("the first %d bytes of %s", cut, whole).isEqualTo(INCOMPLETE);
                assertThat(in.position()).isZero();
            }
        }
    }

    @Test
    void interimAnswersAreSkippedAndSomeStatusesHaveNoBody() {
        HttpFraming framing = new HttpFraming();
        ByteBuffer in = bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n");
        assertThat(framing.next(in)).isEqualTo(204);
        assertThat(framing.next(in)).isEqualTo(304);
        assertThat(in.hasRemaining()).isFalse();
    }

    @Test
    void anHttp10AnswerClosesUnlessKeptAlive() {
        HttpFraming framing = new HttpFraming();
        assertThat(framing.next(bytes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"))).isEqualTo(200);
        assertThat(framing.closesConnection()).isTrue();
        assertThat(framing.next(bytes("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")))
                .isEqualTo(200);
        assertThat(framing.closesConnection()).isFalse();
    }

    @Test
    void bytesThatAreNoAnswerOrAnAnswerWithoutAnEndAreRefused() {
        HttpFraming framing = new HttpFraming();
        assertThatThrownBy(() -> framing.next(bytes("+OK\r\n"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> framing.next(bytes("HTTP/1.1 2x1 Created\r\n\r\n"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> framing.next(bytes("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> framing.next(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> framing.next(bytes("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nbody until close")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("neither Content-Length nor a chunked body");
    }
}
