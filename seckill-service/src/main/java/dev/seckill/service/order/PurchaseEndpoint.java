package dev.seckill.service.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.seckill.service.api.ApiException;
import dev.seckill.service.api.CachedBodyRequest;
import dev.seckill.service.api.Ids;
import dev.seckill.service.api.ProblemResponses;
import dev.seckill.service.store.StoreUnavailableException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Enumeration;

/**
 * The purchase call, {@code POST /api/v1/sales/{saleId}/orders}, answered in the servlet filter
 * chain, after the token and body size filters and before Spring MVC: the body read by
 * {@link PurchaseBody}, {@link OrderService#buy} called, the 201 or the refusal written straight
 * to the response (the problem body by {@link ProblemResponses}, the one error mapping). Under a
 * spike the MVC machinery around a purchase (handler lookup, argument resolution, content
 * negotiation, exception resolution of every refusal) cost several times the purchase itself.
 * <p>
 * Only the plain case is taken here: JSON in UTF-8, an answer the caller accepts as JSON, a path
 * whose sale id needs no decoding, one Idempotency-Key, a plainly valid body. Anything else goes
 * on to {@link OrderController} unchanged (the body re-readable from memory), so odd and bad
 * requests are answered exactly as before, by the same code.
 */
public final class PurchaseEndpoint implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(PurchaseEndpoint.class);
    private static final String PREFIX = "/api/v1/sales/";
    private static final String SUFFIX = "/orders";
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final OrderService orders;
    private final ProblemResponses problems;
    private final ObjectWriter orderJson;
    private final int maxBodyBytes;

    public PurchaseEndpoint(OrderService orders, ProblemResponses problems, ObjectMapper json, int maxBodyBytes) {
        this.orders = orders;
        this.problems = problems;
        this.orderJson = json.writerFor(OrderView.class);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        String saleId = plainPurchase(request);
        if (saleId == null) {
            chain.doFilter(req, res);
            return;
        }
        byte[] body = readBody(request);
        BuyRequest buy = body == null ? null : PurchaseBody.read(body);
        if (buy == null) {
            chain.doFilter(body == null ? request : new CachedBodyRequest(request, body), res);
            return;
        }
        HttpServletResponse response = (HttpServletResponse) res;
        ApiException refusal;
        try {
            created(response, orders.buy(saleId, request.getHeader(IDEMPOTENCY_KEY), buy).order());
            return;
        } catch (ApiException e) {
            refusal = e;
        } catch (StoreUnavailableException e) {
            LOG.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
            refusal = ApiException.storeUnavailable();
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
            refusal = ApiException.internal();
        }
        problems.write(request, response, refusal);
    }

    private void created(HttpServletResponse response, OrderView order) throws IOException {
        byte[] json;
        try {
            json = orderJson.writeValueAsBytes(order);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an order view could not be written", e);
        }
        response.setStatus(HttpServletResponse.SC_CREATED);
        response.setHeader("Location", "/api/v1/orders/" + order.orderId());
        response.setContentType("application/json");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

    /**
     * The sale id if this is a purchase this endpoint answers itself, else null (Spring MVC
     * answers it).
     */
    private static String plainPurchase(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod())) {
            return null;
        }
        String uri = request.getRequestURI();
        int from = request.getContextPath().length() + PREFIX.length();
        int to = uri.length() - SUFFIX.length();
        if (to <= from || !uri.startsWith(PREFIX, from - PREFIX.length()) || !uri.endsWith(SUFFIX)) {
            return null;
        }
        for (int i = from; i < to; i++) {
            if (!Ids.idChar(uri.charAt(i))) {
                return null; // '/', '%', ';' ...: Spring's decoding and matching decide
            }
        }
        String saleId = uri.substring(from, to);
        if (saleId.equals(".") || saleId.equals("..") || !jsonBody(request.getContentType())
                || !acceptsJson(request.getHeader("Accept")) || !oneIdempotencyKey(request)) {
            return null;
        }
        return saleId;
    }

    /** application/json, in UTF-8 (the default) or saying so. */
    private static boolean jsonBody(String contentType) {
        if (contentType == null || !contentType.regionMatches(true, 0, "application/json", 0, 16)) {
            return false;
        }
        if (contentType.length() == 16) {
            return true;
        }
        String rest = contentType.substring(16).replace(" ", "");
        return rest.equalsIgnoreCase(";charset=utf-8");
    }

    /** No Accept header, or one naming JSON or a wildcard for it without parameters (q-values). */
    private static boolean acceptsJson(String accept) {
        if (accept == null) {
            return true;
        }
        if (accept.indexOf(';') >= 0) {
            return false;
        }
        for (String range : accept.split(",")) {
            String r = range.trim();
            if (r.equalsIgnoreCase("application/json") || r.equals("*/*") || r.equalsIgnoreCase("application/*")) {
                return true;
            }
        }
        return false;
    }

    /** Spring joins repeated headers into one value: such requests go its way. */
    private static boolean oneIdempotencyKey(HttpServletRequest request) {
        Enumeration<String> keys = request.getHeaders(IDEMPOTENCY_KEY);
        if (keys == null || !keys.hasMoreElements()) {
            return true; // missing: OrderService answers 400 naming the header
        }
        keys.nextElement();
        return !keys.hasMoreElements();
    }

    /** The whole body, or null if it is longer than the limit (then Spring reads it). */
    private byte[] readBody(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        ServletInputStream in = request.getInputStream();
        if (declared < 0) {
            byte[] b = in.readNBytes(maxBodyBytes + 1);
            return b.length > maxBodyBytes ? null : b;
        }
        if (declared > maxBodyBytes) {
            return null;
        }
        byte[] b = new byte[(int) declared];
        int n = 0;
        while (n < b.length) {
            int r = in.read(b, n, b.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n == b.length ? b : java.util.Arrays.copyOf(b, n);
    }
}
