package dev.seckill.service.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * The one place problem bodies are made (RFC 9457): {@code type} names the code, {@code title}
 * the status, {@code detail} what happened, {@code instance} the request path, {@code code} the
 * machine-readable reason, then the refusal's own members ({@code field}, {@code available} ...).
 * Used by the controllers' exception handler ({@link #entity}) and by the servlet filters (tokens,
 * body size, the purchase endpoint) that answer before any controller runs ({@link #write}); both
 * send the bytes {@link #body} renders.
 * <p>
 * The body is written with Jackson's streaming generator rather than by data-binding a
 * {@code ProblemDetail}: refusals are the common answer of a sold-out spike, and this is several
 * times cheaper per answer.
 */
@Component
public class ProblemResponses {
    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;
    private static final String PROBLEM_JSON_TEXT = PROBLEM_JSON.toString();

    private final JsonFactory json;

    /** @param json the application's mapper: its factory escapes strings, and it writes unusual members */
    public ProblemResponses(ObjectMapper json) {
        this.json = json.getFactory();
    }

    /** The answer to {@code e} for Spring MVC's exception handler: status, headers, the problem body. */
    public ResponseEntity<Object> entity(ApiException e, String path) {
        ResponseEntity.BodyBuilder b = ResponseEntity.status(e.status()).contentType(PROBLEM_JSON);
        if (e.retryAfterSeconds() != null) {
            b.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        return b.body(body(e, path));
    }

    /** Writes the problem straight to the servlet response (for filters). */
    public void write(HttpServletRequest request, HttpServletResponse response, ApiException e) throws IOException {
        byte[] body = body(e, request.getRequestURI());
        response.setStatus(e.status().value());
        response.setContentType(PROBLEM_JSON_TEXT);
        if (e.retryAfterSeconds() != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        if (e.status() == HttpStatus.UNAUTHORIZED) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"seckill\"");
        }
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The problem body of {@code e}, answered at {@code path} (null: no {@code instance}). */
    public byte[] body(ApiException e, String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "urn:seckill:problem:" + e.code().toLowerCase(Locale.ROOT).replace('_', '-'));
            g.writeStringField("title", e.status().getReasonPhrase());
            g.writeNumberField("status", e.status().value());
            if (e.getMessage() != null) {
                g.writeStringField("detail", e.getMessage());
            }
            if (path != null) {
                g.writeStringField("instance", path);
            }
            g.writeStringField("code", e.code());
            for (Map.Entry<String, Object> m : e.members().entrySet()) {
                g.writeFieldName(m.getKey());
                value(g, m.getValue());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("writing to memory failed", ex);
        }
        return out.toByteArray();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> m : map.entrySet()) {
                g.writeFieldName(String.valueOf(m.getKey()));
                value(g, m.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                value(g, item);
            }
            g.writeEndArray();
        } else {
            g.writeObject(v); // anything else as the application's mapper writes it
        }
    }
}
