package dev.seckill.service.api;

import org.springframework.http.HttpStatus;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer other than success, as the API documents it: an HTTP status, a machine {@code code}
 * (e.g. {@code SOLD_OUT}), a human detail, and optionally a {@code Retry-After} and more members.
 * {@link ProblemResponses} turns it into an {@code application/problem+json} body.
 */
public class ApiException extends RuntimeException {
    private final HttpStatus status;
    private final String code;
    private final Long retryAfterSeconds;
    private final Map<String, Object> members;

    public ApiException(HttpStatus status, String code, String detail) {
        this(status, code, detail, null, Map.of());
    }

    public ApiException(HttpStatus status, String code, String detail, Long retryAfterSeconds, Map<String, Object> members) {
        super(detail, null, false, false); // an answer, not a crash: no stack trace
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.members = new LinkedHashMap<>(members);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Map<String, Object> members() {
        return members;
    }

    /** 400 naming the offending field (a JSON property, a path variable or a header). */
    public static ApiException invalid(String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "INVALID_REQUEST", field + ": " + message, null,
                Map.of("field", field, "errors", java.util.List.of(Map.of("field", field, "message", message))));
    }

    /** 503 UNAVAILABLE with Retry-After: the store cannot answer now. */
    public static ApiException storeUnavailable() {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "UNAVAILABLE",
                "the inventory store cannot answer now; try again", 1L, Map.of());
    }

    /** 500 INTERNAL: an unexpected failure, logged where it was caught; nothing of it reaches the caller. */
    public static ApiException internal() {
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL",
                "the service failed to answer; the failure is logged");
    }

    public static ApiException notFound(String code, String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, code, detail);
    }

    public static ApiException conflict(String code, String detail) {
        return new ApiException(HttpStatus.CONFLICT, code, detail);
    }
}
