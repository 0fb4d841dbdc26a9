package dev.seckill.service.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.seckill.service.order.PurchaseMetrics;
import dev.seckill.service.store.StoreUnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one error mapping: every failure leaves as {@code application/problem+json} with a
 * {@code code}; a 400 names the field. Nothing internal (stack traces, exception messages of
 * unexpected failures) reaches the caller; unexpected failures are logged here instead.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);
    private static final Pattern PURCHASE = Pattern.compile("/api/v1/sales/[^/]+/orders/?");

    private final PurchaseMetrics purchases;
    private final ProblemResponses problems;

    public ProblemHandler(PurchaseMetrics purchases, ProblemResponses problems) {
        this.purchases = purchases;
        this.problems = problems;
    }

    @ExceptionHandler(ApiException.class)
    public ResponseEntity<Object> api(ApiException e, HttpServletRequest request) {
        return problems.entity(e, request.getRequestURI());
    }

    @ExceptionHandler(StoreUnavailableException.class)
    public ResponseEntity<Object> storeUnavailable(StoreUnavailableException e, HttpServletRequest request) {
        LOG.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        return problems.entity(ApiException.storeUnavailable(), request.getRequestURI());
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        LOG.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
        return problems.entity(ApiException.internal(), request.getRequestURI());
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        String path = path(request);
        if (path != null && PURCHASE.matcher(path).matches()) {
            purchases.unreadable(); // the purchase never reached OrderService, which counts the rest
        }
        Throwable cause = e.getCause();
        ApiException answer;
        if (cause instanceof UnrecognizedPropertyException u) {
            answer = ApiException.invalid(path(u), "is not a known property");
        } else if (cause instanceof InvalidFormatException f) {
            answer = ApiException.invalid(path(f), "cannot be read as " + simpleType(f.getTargetType()));
        } else if (cause instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            answer = ApiException.invalid(path(m), "cannot be read as " + simpleType(m.getTargetType()));
        } else if (cause instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            answer = ApiException.invalid(path(m), "has an invalid value");
        } else if (cause instanceof JsonProcessingException) {
            answer = new ApiException(HttpStatus.BAD_REQUEST, "MALFORMED_JSON", "the body is not valid JSON",
                    null, Map.of("field", "body"));
        } else {
            answer = new ApiException(HttpStatus.BAD_REQUEST, "MALFORMED_JSON", "a JSON body is required",
                    null, Map.of("field", "body"));
        }
        return wrap(answer, request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = e.getBindingResult().getFieldErrors().stream()
                .sorted(Comparator.comparing(FieldError::getField)).toList();
        if (errors.isEmpty()) {
            return wrap(ApiException.invalid("body", "is not valid"), request);
        }
        FieldError first = errors.get(0);
        List<Map<String, String>> all = errors.stream()
                .map(f -> Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
                .collect(Collectors.toList());
        return wrap(new ApiException(HttpStatus.BAD_REQUEST, "INVALID_REQUEST",
                first.getField() + ": " + first.getDefaultMessage(), null,
                Map.of("field", first.getField(), "errors", all)), request);
    }

    @Override
    protected ResponseEntity<Object> handleServletRequestBindingException(ServletRequestBindingException e,
                                                                          HttpHeaders headers, HttpStatusCode status,
                                                                          WebRequest request) {
        if (e instanceof MissingRequestHeaderException m) {
            return wrap(ApiException.invalid(m.getHeaderName(), "the header is required"), request);
        }
        return wrap(ApiException.invalid("request", "is incomplete"), request);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        // everything else Spring MVC raises (404, 405, 415, 406 ...): its status, our problem shape
        HttpStatus s = HttpStatus.resolve(status.value());
        if (s == null) {
            s = HttpStatus.BAD_REQUEST;
        }
        String code = switch (s) {
            case NOT_FOUND -> "NOT_FOUND";
            case METHOD_NOT_ALLOWED -> "METHOD_NOT_ALLOWED";
            case UNSUPPORTED_MEDIA_TYPE -> "UNSUPPORTED_MEDIA_TYPE";
            case NOT_ACCEPTABLE -> "NOT_ACCEPTABLE";
            case PAYLOAD_TOO_LARGE -> "PAYLOAD_TOO_LARGE";
            default -> s.is5xxServerError() ? "INTERNAL" : "INVALID_REQUEST";
        };
        String detail = s.getReasonPhrase();
        if (e instanceof NoResourceFoundException) {
            detail = "nothing at " + path(request);
        } else if (e instanceof HttpRequestMethodNotSupportedException m) {
            detail = m.getMethod() + " is not allowed here";
        } else if (e instanceof HttpMediaTypeNotSupportedException) {
            detail = "send the body as application/json";
        }
        if (s.is5xxServerError()) {
            LOG.error("{} failed", path(request), e);
        }
        ResponseEntity<Object> answer = wrap(new ApiException(s, code, detail), request);
        HttpHeaders merged = new HttpHeaders();
        if (headers != null) {
            merged.putAll(headers); // e.g. Allow on 405
        }
        merged.putAll(answer.getHeaders());
        return new ResponseEntity<>(answer.getBody(), merged, answer.getStatusCode());
    }

    private ResponseEntity<Object> wrap(ApiException e, WebRequest request) {
        return problems.entity(e, path(request));
    }

    private static String path(WebRequest request) {
        return request instanceof ServletWebRequest s ? s.getRequest().getRequestURI() : null;
    }

    /** The JSON path of the failing property: {@code quantity}, {@code items[2].sku}. */
    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.length() == 0 ? "body" : b.toString();
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "the expected type";
        }
        String name = type.getSimpleName().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "integer", "long", "int" -> "an integer";
            case "instant" -> "an ISO-8601 instant like 2026-11-25T20:00:00Z";
            case "duration" -> "an ISO-8601 duration like PT15M";
            case "string" -> "a string";
            default -> "a " + name;
        };
    }
}
