package dev.seckill.service.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * The one place problem bodies are made (RFC 9457): {@code type} names the code, {@code title}
 * the status, {@code detail} what happened, {@code instance} the request path, {@code code} the
 * machine-readable reason. Used by the controllers' exception handler and by the servlet filters
 * (tokens, body size) that answer before any controller runs.
 */
@Component
public class ProblemResponses {
    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    private final ObjectMapper json;

    public ProblemResponses(ObjectMapper json) {
        this.json = json;
    }

    public static ProblemDetail problem(HttpStatus status, String code, String detail, String path, Map<String, Object> members) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setType(URI.create("urn:seckill:problem:" + code.toLowerCase(Locale.ROOT).replace('_', '-')));
        p.setTitle(status.getReasonPhrase());
        if (path != null) {
            p.setInstance(URI.create(path));
        }
        p.setProperty("code", code);
        members.forEach(p::setProperty);
        return p;
    }

    public static ResponseEntity<ProblemDetail> entity(ApiException e, String path) {
        ResponseEntity.BodyBuilder b = ResponseEntity.status(e.status()).contentType(PROBLEM_JSON);
        if (e.retryAfterSeconds() != null) {
            b.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        return b.body(problem(e.status(), e.code(), e.getMessage(), path, e.members()));
    }

    /** Writes the problem straight to the servlet response (for filters). */
    public void write(HttpServletRequest request, HttpServletResponse response, ApiException e) throws IOException {
        response.setStatus(e.status().value());
        response.setContentType(PROBLEM_JSON.toString());
        if (e.retryAfterSeconds() != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        if (e.status() == HttpStatus.UNAUTHORIZED) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"seckill\"");
        }
        json.writeValue(response.getOutputStream(),
                problem(e.status(), e.code(), e.getMessage(), request.getRequestURI(), e.members()));
    }
}
