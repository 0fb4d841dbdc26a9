package dev.seckill.service.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.seckill.service.api.ApiException;
import dev.seckill.service.api.Ids;
import dev.seckill.service.api.ProblemResponses;
import dev.seckill.service.sale.Sale;
import dev.seckill.service.sale.SaleService;
import dev.seckill.service.security.AccessRules;
import dev.seckill.service.security.AccessTokens;
import dev.seckill.service.security.Role;
import dev.seckill.service.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The purchase call, {@code POST /api/v1/sales/{saleId}/orders}, in its plain case, answered
 * without Spring MVC: by the HTTP front door ({@code http.FrontDoor}) on its event loop, or by the
 * {@link PurchaseEndpoint} filter when Tomcat listens itself. The plain case is JSON in UTF-8, an
 * answer the caller accepts as JSON, a path whose sale id needs no decoding, one Idempotency-Key,
 * a plainly valid body ({@link PurchaseBody}). Anything else goes to {@link OrderController}
 * unchanged, so odd and bad requests are answered exactly as before, by the same code.
 * <p>
 * The answers are the ones Spring MVC would give: the 201 with the order, or the problem body of
 * {@link ProblemResponses} with its status and {@code Retry-After}.
 */
public final class PlainPurchases {
    private static final Logger LOG = LoggerFactory.getLogger(PlainPurchases.class);
    private static final String PREFIX = "/api/v1/sales/";
    private static final String SUFFIX = "/orders";

    private final OrderService orders;
    private final SaleService sales;
    private final AccessTokens tokens;
    private final ProblemResponses problems;
    private final ObjectWriter orderJson;
    private final int maxBodyBytes;

    public PlainPurchases(OrderService orders, SaleService sales, AccessTokens tokens, ProblemResponses problems,
                          ObjectMapper json, int maxBodyBytes) {
        this.orders = orders;
        this.sales = sales;
        this.tokens = tokens;
        this.problems = problems;
        this.orderJson = json.writerFor(OrderView.class);
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The most body bytes a plain purchase has; a longer one goes to Spring (413 there). */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /**
     * What an answer to a purchase is made of.
     *
     * @param location          the new order's path (201 only), else null
     * @param retryAfterSeconds null for none
     */
    public record Answer(int status, String contentType, String location, Long retryAfterSeconds, byte[] body) {
    }

    /**
     * The sale id of a plain purchase, from the request line and headers, else null.
     *
     * @param path             the request path, without query, as sent (not decoded)
     * @param contextPath      the application's context path ("" for none)
     * @param idempotencyKeys  how many Idempotency-Key headers came (Spring joins repeated ones: they go its way)
     */
    public static String saleIdOf(String method, String path, String contextPath, String contentType, String accept,
                                  int idempotencyKeys) {
        if (!"POST".equals(method) || idempotencyKeys > 1) {
            return null;
        }
        int from = contextPath.length() + PREFIX.length();
        int to = path.length() - SUFFIX.length();
        if (to <= from || !path.startsWith(contextPath) || !path.startsWith(PREFIX, contextPath.length())
                || !path.endsWith(SUFFIX)) {
            return null;
        }
        for (int i = from; i < to; i++) {
            if (!Ids.idChar(path.charAt(i))) {
                return null; // '/', '%', ';' ...: Spring's decoding and matching decide
            }
        }
        String saleId = path.substring(from, to);
        if (saleId.equals(".") || saleId.equals("..") || !jsonBody(contentType) || !acceptsJson(accept)) {
            return null;
        }
        return saleId;
    }

    /**
     * For the front door, which answers only what needs no database and no blocking: the sale of
     * a plain purchase by a caller whose bearer token may buy, if this instance holds the sale in
     * memory; else null (Tomcat answers it: the 401, the 404, the first purchase of a sale).
     */
    public Sale knownSale(String saleId, String path, String contextPath, String authorization, long contentLength) {
        if (contentLength < 0 || contentLength > maxBodyBytes || authorization == null
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        Optional<Role> needed = AccessRules.required("POST", path.substring(contextPath.length()));
        Optional<Role> role = tokens.roleOf(authorization.substring(7).trim());
        if (needed.isEmpty() || role.isEmpty() || !role.get().mayActAs(needed.get())) {
            return null;
        }
        return sales.cached(saleId);
    }

    /**
     * Buys without blocking, answering on {@code continueOn}; null if {@code body} is not a
     * plainly valid purchase (then Spring reads it).
     */
    public CompletableFuture<Answer> buy(Sale sale, String path, String idempotencyKey, byte[] body, Executor continueOn) {
        BuyRequest buy = PurchaseBody.read(body);
        if (buy == null) {
            return null;
        }
        return orders.buyAsync(sale, idempotencyKey, buy, continueOn).handle((purchase, failure) ->
                failure == null ? created(purchase.order())
                        : refused(failure instanceof CompletionException ? failure.getCause() : failure, path));
    }

    /** Buys, waiting for the store; null if {@code body} is not a plainly valid purchase. */
    Answer buy(String saleId, String path, String idempotencyKey, byte[] body) {
        BuyRequest buy = PurchaseBody.read(body);
        if (buy == null) {
            return null;
        }
        try {
            return created(orders.buy(saleId, idempotencyKey, buy).order());
        } catch (RuntimeException e) {
            return refused(e, path);
        }
    }

    private Answer created(OrderView order) {
        try {
            return new Answer(201, "application/json", "/api/v1/orders/" + order.orderId(), null,
                    orderJson.writeValueAsBytes(order));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an order view could not be written", e);
        }
    }

    /** The problem answer to a failed purchase: a refusal as it is, the rest as 503 or 500. */
    private Answer refused(Throwable failure, String path) {
        ApiException refusal;
        if (failure instanceof ApiException e) {
            refusal = e;
        } else if (failure instanceof StoreUnavailableException e) {
            LOG.warn("POST {}: {}", path, e.getMessage());
            refusal = ApiException.storeUnavailable();
        } else {
            LOG.error("POST {} failed", path, failure);
            refusal = ApiException.internal();
        }
        return new Answer(refusal.status().value(), ProblemResponses.PROBLEM_JSON.toString(), null,
                refusal.retryAfterSeconds(), problems.body(refusal, path));
    }

    /** application/json, in UTF-8 (the default) or saying so. */
    static boolean jsonBody(String contentType) {
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
    static boolean acceptsJson(String accept) {
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
}
