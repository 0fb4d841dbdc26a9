package dev.seckill.service.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Problem bodies are written by a streaming generator; they must read exactly as Spring's own
 * Jackson writing of a {@link ProblemDetail} with the same members did before.
 */
class ProblemResponsesTest {
    private final ObjectMapper json = Jackson2ObjectMapperBuilder.json().build();
    private final ProblemResponses problems = new ProblemResponses(json);

    /** What the service sent before: a ProblemDetail, written by Spring's mapper. */
    private JsonNode asSpringWroteIt(ApiException e, String path) throws Exception {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
        p.setType(URI.create("urn:seckill:problem:" + e.code().toLowerCase(Locale.ROOT).replace('_', '-')));
        p.setTitle(e.status().getReasonPhrase());
        if (path != null) {
            p.setInstance(URI.create(path));
        }
        p.setProperty("code", e.code());
        e.members().forEach(p::setProperty);
        return json.readTree(json.writeValueAsBytes(p));
    }

    @Test
    void bodiesReadAsSpringsProblemDetailDid() throws Exception {
        List<ApiException> answers = List.of(
                new ApiException(HttpStatus.CONFLICT, "SOLD_OUT", "sale s is sold out"),
                ApiException.invalid("quantity", "must be greater than or equal to 1"),
                new ApiException(HttpStatus.FORBIDDEN, "PURCHASE_LIMIT", "at most 2; this user has 1", null,
                        Map.of("limit", 2, "held", 1L)),
                new ApiException(HttpStatus.TOO_MANY_REQUESTS, "THROTTLED", "too many \"quoted\" \\ \u00e9 \u0001", 1L,
                        Map.of()),
                ApiException.storeUnavailable(),
                ApiException.internal());
        for (ApiException e : answers) {
            for (String path : new String[] {"/api/v1/sales/s/orders", null}) {
                JsonNode ours = json.readTree(problems.body(e, path));
                assertThat(ours).as("%s at %s", e.code(), path).isEqualTo(asSpringWroteIt(e, path));
            }
        }
    }

    @Test
    void theMembersKeepTheirOrderAfterTheStandardOnes() throws Exception {
        String body = new String(problems.body(ApiException.invalid("userId", "must not be null"), "/x"),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(body).startsWith("{\"type\":\"urn:seckill:problem:invalid-request\",\"title\":\"Bad Request\","
                + "\"status\":400,\"detail\":\"userId: must not be null\",\"instance\":\"/x\",\"code\":\"INVALID_REQUEST\",");
    }
}
