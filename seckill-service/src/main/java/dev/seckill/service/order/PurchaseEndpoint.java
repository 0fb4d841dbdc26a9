package dev.seckill.service.order;

import dev.seckill.service.api.CachedBodyRequest;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Enumeration;

/**
 * The plain purchase ({@link PlainPurchases}) answered in the servlet filter chain, after the token
 * and body size filters and before Spring MVC, for the purchases that reach Tomcat (the front door
 * is off, or left them to Tomcat): the body read here, the answer written straight to the response. Under a spike the MVC
 * machinery around a purchase (handler lookup, argument resolution, content negotiation,
 * exception resolution of every refusal) cost several times the purchase itself. Anything not
 * plain goes on to {@link OrderController} unchanged (the body re-readable from memory).
 */
public final class PurchaseEndpoint implements Filter {
    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final PlainPurchases purchases;

    public PurchaseEndpoint(PlainPurchases purchases) {
        this.purchases = purchases;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        String path = request.getRequestURI();
        String saleId = PlainPurchases.saleIdOf(request.getMethod(), path, request.getContextPath(),
                request.getContentType(), request.getHeader("Accept"), idempotencyKeys(request));
        if (saleId == null) {
            chain.doFilter(req, res);
            return;
        }
        byte[] body = readBody(request);
        PlainPurchases.Answer answer = body == null ? null
                : purchases.buy(saleId, path, request.getHeader(IDEMPOTENCY_KEY), body);
        if (answer == null) {
            chain.doFilter(body == null ? request : new CachedBodyRequest(request, body), res);
            return;
        }
        HttpServletResponse response = (HttpServletResponse) res;
        response.setStatus(answer.status());
        if (answer.location() != null) {
            response.setHeader("Location", answer.location());
        }
        if (answer.retryAfterSeconds() != null) {
            response.setHeader("Retry-After", Long.toString(answer.retryAfterSeconds()));
        }
        response.setContentType(answer.contentType());
        response.setContentLength(answer.body().length);
        response.getOutputStream().write(answer.body());
    }

    private static int idempotencyKeys(HttpServletRequest request) {
        Enumeration<String> keys = request.getHeaders(IDEMPOTENCY_KEY);
        int n = 0;
        while (keys != null && keys.hasMoreElements() && n < 2) {
            keys.nextElement();
            n++;
        }
        return n;
    }

    /** The whole body, or null if it is longer than the limit (then Spring reads it). */
    private byte[] readBody(HttpServletRequest request) throws IOException {
        int maxBodyBytes = purchases.maxBodyBytes();
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
