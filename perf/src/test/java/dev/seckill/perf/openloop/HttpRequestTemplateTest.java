package dev.seckill.perf.openloop;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpRequestTemplateTest {
    private static final HttpRequestTemplate PURCHASE = new HttpRequestTemplate("POST", "/api/v1/sales/s1/orders",
            "127.0.0.1:8080", List.of("Authorization: Bearer svc-x", "Idempotency-Key: k-__id__"),
            "{\"userId\":\"u-__id__\",\"quantity\":1}", "run7-");

    private static String written(RequestTemplate template, long... ids) {
        ByteBuffer out = ByteBuffer.allocate(template.maxBytes() * ids.length);
        for (long id : ids) {
            int before = out.position();
            template.write(out, id);
            assertThat(out.position() - before).isLessThanOrEqualTo(template.maxBytes());
        }
        return new String(out.array(), 0, out.position(), StandardCharsets.UTF_8);
    }

    @Test
    void eachRequestIsANewBuyerAndItsContentLengthFollowsTheIdsDigits() {
        assertThat(written(PURCHASE, 7, 1234567890123L)).isEqualTo(
                "POST /api/v1/sales/s1/orders HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer svc-x\r\n"
                        + "Idempotency-Key: k-run7-7\r\nContent-Length: 34\r\n\r\n"
                        + "{\"userId\":\"u-run7-7\",\"quantity\":1}"
                        + "POST /api/v1/sales/s1/orders HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer svc-x\r\n"
                        + "Idempotency-Key: k-run7-1234567890123\r\nContent-Length: 46\r\n\r\n"
                        + "{\"userId\":\"u-run7-1234567890123\",\"quantity\":1}");
    }

    @Test
    void theLargestIdStillFits() {
        assertThat(written(PURCHASE, Long.MAX_VALUE)).contains("u-run7-" + Long.MAX_VALUE);
    }

    @Test
    void aRequestWithoutBodySaysSo() {
        HttpRequestTemplate get = new HttpRequestTemplate("GET", "/api/v1/orders/o-__id__", "h", List.of(), "", "");
        assertThat(written(get, 42)).isEqualTo("GET /api/v1/orders/o-42 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void headersTheTemplateWritesOrThatAreNoHeadersAreRefused() {
        assertThatThrownBy(() -> new HttpRequestTemplate("POST", "/x", "h", List.of("Content-Length: 3"), "abc", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpRequestTemplate("POST", "/x", "h", List.of("host: other"), "", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpRequestTemplate("POST", "/x", "h", List.of("X-A: 1\r\nX-B: 2"), "", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpRequestTemplate("POST", "/x", "h", List.of("no colon"), "", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpRequestTemplate("POST", "x y", "h", List.of(), "", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpRequestTemplate("post", "/x", "h", List.of(), "", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRespTemplateWritesTheSameFreshIds() {
        RespCommandTemplate reserve = new RespCommandTemplate(List.of("INV.RESERVE", "stock", "1", RequestTemplate.ID), "t-");
        assertThat(written(reserve, 0, 105)).isEqualTo("*4\r\n$11\r\nINV.RESERVE\r\n$5\r\nstock\r\n$1\r\n1\r\n$3\r\nt-0\r\n"
                + "*4\r\n$11\r\nINV.RESERVE\r\n$5\r\nstock\r\n$1\r\n1\r\n$5\r\nt-105\r\n");
    }
}
