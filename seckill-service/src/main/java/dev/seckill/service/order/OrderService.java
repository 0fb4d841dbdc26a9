package dev.seckill.service.order;

import dev.seckill.service.admission.AdmissionControl;
import dev.seckill.service.api.ApiException;
import dev.seckill.service.api.Ids;
import dev.seckill.service.api.RequestIds;
import dev.seckill.service.sale.Sale;
import dev.seckill.service.sale.SaleService;
import dev.seckill.service.store.StoreGateway;
import dev.seckill.service.store.StoreGateway.ReserveResult;
import dev.seckill.service.store.StoreRefusal;
import dev.seckill.service.store.StoreUnavailableException;
import dev.seckill.service.store.StoredReservation;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Purchases and orders. A purchase is checked here (input, sale window, limit), let through by
 * {@link AdmissionControl}, and decided by the store in one step ({@code INV.RESERVE} with the
 * user's limit and the sale's TTL), so nothing here can oversell. Orders are the store's
 * reservations; confirm and cancel are the store's too.
 */
@Service
public class OrderService {
    static final int MAX_QUANTITY = 1_000_000;

    private final SaleService sales;
    private final StoreGateway store;
    private final AdmissionControl admission;
    private final PurchaseMetrics metrics;
    private final Validator validator;
    private final Clock clock;

    public OrderService(SaleService sales, StoreGateway store, AdmissionControl admission, PurchaseMetrics metrics,
                        Validator validator, Clock clock) {
        this.sales = sales;
        this.store = store;
        this.admission = admission;
        this.metrics = metrics;
        this.validator = validator;
        this.clock = clock;
    }

    /**
     * What a purchase answered with 201.
     *
     * @param replay the Idempotency-Key was used before: this is the first answer again
     */
    public record Purchase(OrderView order, boolean replay) {
    }

    /** Buys, or throws the refusal the API documents for it. Every attempt is counted and timed. */
    public Purchase buy(String saleId, String idempotencyKey, BuyRequest body) {
        Attempt a = letThrough(saleId, idempotencyKey, body);
        ReserveResult r;
        try {
            r = store.reserve(a.sale.sku(), a.quantity, a.orderId, a.userId, a.sale.perUserLimit(),
                    a.sale.reservationTtl().toMillis());
        } catch (RuntimeException e) {
            throw failed(a, e);
        }
        return settle(a, r);
    }

    /**
     * {@link #buy} of a sale already in hand ({@link SaleService#cached}) without waiting for the
     * store: the checks and admission run on the calling thread and never block, the store's
     * answer is read on {@code continueOn}. The future ends with the same {@link Purchase}, or the
     * same exception, that {@link #buy} would return or throw.
     */
    public CompletableFuture<Purchase> buyAsync(Sale sale, String idempotencyKey, BuyRequest body, Executor continueOn) {
        long start = System.nanoTime();
        Attempt a;
        try {
            try {
                RequestIds.requireIdempotencyKey(idempotencyKey);
                validate(body);
            } catch (RuntimeException e) {
                metrics.record(outcomeOf(e), sale.id(), System.nanoTime() - start);
                throw e;
            }
            a = letThrough(sale, idempotencyKey, body, start);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return store.reserveAsync(sale.sku(), a.quantity, a.orderId, a.userId, sale.perUserLimit(),
                        sale.reservationTtl().toMillis(), continueOn)
                .handle((r, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                        throw failed(a, cause instanceof RuntimeException e ? e : new IllegalStateException(cause));
                    }
                    return settle(a, r);
                });
    }

    /** A purchase admission let through, on its way to the store. */
    private record Attempt(Sale sale, String orderId, String userId, int quantity,
                           AdmissionControl.Ticket ticket, long startNanos) {
    }

    private Attempt letThrough(String saleId, String idempotencyKey, BuyRequest body) {
        long start = System.nanoTime();
        Sale sale;
        try {
            RequestIds.requireIdempotencyKey(idempotencyKey);
            Ids.require("saleId", saleId);
            validate(body);
            sale = sales.require(saleId);
        } catch (RuntimeException e) {
            metrics.record(outcomeOf(e), PurchaseMetrics.UNKNOWN_SALE, System.nanoTime() - start);
            throw e;
        }
        return letThrough(sale, idempotencyKey, body, start);
    }

    /** A valid purchase of a known sale: its window, its limit, then admission; a refusal is counted and thrown. */
    private Attempt letThrough(Sale sale, String key, BuyRequest body, long start) {
        try {
            Instant now = clock.instant();
            if (sale.phaseAt(now) != Sale.Phase.ACTIVE) {
                throw new ApiException(HttpStatus.CONFLICT, "SALE_NOT_ACTIVE", "sale " + sale.id() + " is "
                        + sale.phaseAt(now).name().toLowerCase() + " (from " + sale.startsAt()
                        + (sale.endsAt() == null ? "" : " to " + sale.endsAt()) + ")");
            }
            int qty = body.quantity();
            if (sale.perUserLimit() != null && qty > sale.perUserLimit()) {
                // the store would refuse it whatever the user holds: no need to ask
                throw purchaseLimit(sale, -1);
            }
            String orderId = OrderIds.of(sale.id(), body.userId(), key);
            AdmissionControl.Ticket ticket = admission.admit(sale.id(), sale.sku(), body.userId(), orderId);
            return new Attempt(sale, orderId, body.userId(), qty, ticket, start);
        } catch (RuntimeException e) {
            metrics.record(outcomeOf(e), sale.id(), System.nanoTime() - start);
            throw e;
        }
    }

    /** The outcome a failed attempt counts as: its refusal's, "unavailable", or "invalid" (a bug). */
    private static String outcomeOf(RuntimeException e) {
        return e instanceof ApiException api ? PurchaseMetrics.outcomeOf(api.code())
                : e instanceof StoreUnavailableException ? "unavailable" : "invalid";
    }

    /** The store answered: the purchase made (or replayed), or the refusal, counted and timed. */
    private Purchase settle(Attempt a, ReserveResult r) {
        admission.release(a.ticket);
        String outcome = "invalid";
        try {
            if (r.refusal() != null) {
                throw refusal(a.sale, r.refusal());
            }
            StoredReservation res = r.reservation();
            if (res == null || res.quantity() != a.quantity || !a.userId.equals(res.user())) {
                throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key"
                        + " was used for a purchase with other parameters", null, Map.of("field", "Idempotency-Key"));
            }
            if (!r.replay()) {
                admission.reserved(a.sale.id(), r.availableAfter());
            }
            outcome = r.replay() ? "replayed" : "created";
            return new Purchase(OrderView.created(a.sale.id(), res), r.replay());
        } catch (ApiException e) {
            outcome = PurchaseMetrics.outcomeOf(e.code());
            throw e;
        } finally {
            metrics.record(outcome, a.sale.id(), System.nanoTime() - a.startNanos);
        }
    }

    /** No answer from the store (or a bug): counted, and the exception to end with. */
    private RuntimeException failed(Attempt a, RuntimeException e) {
        admission.release(a.ticket);
        metrics.record(outcomeOf(e), a.sale.id(), System.nanoTime() - a.startNanos);
        return e;
    }

    private ApiException refusal(Sale sale, StoreRefusal refusal) {
        return switch (refusal.code()) {
            case "SOLDOUT" -> {
                admission.soldOut(sale.id());
                yield new ApiException(HttpStatus.CONFLICT, "SOLD_OUT", "sale " + sale.id() + " is sold out");
            }
            case "INSUFFICIENT" -> {
                admission.insufficient(sale.id(), refusal.figure());
                yield new ApiException(HttpStatus.CONFLICT, "INSUFFICIENT_STOCK", "fewer units are left than asked for: "
                        + refusal.figure(), null, Map.of("available", refusal.figure()));
            }
            case "LIMIT" -> purchaseLimit(sale, refusal.figure());
            default -> new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "SKU_MISSING", "the store does not know SKU "
                    + sale.sku() + " (" + refusal.getMessage() + ")", 1L, Map.of());
        };
    }

    private static ApiException purchaseLimit(Sale sale, long held) {
        String detail = "a user may hold or buy at most " + sale.perUserLimit() + " units of sale " + sale.id();
        return new ApiException(HttpStatus.FORBIDDEN, "PURCHASE_LIMIT", held >= 0 ? detail + "; this user has " + held
                : detail, null, held >= 0 ? Map.of("limit", sale.perUserLimit(), "held", held)
                : Map.of("limit", sale.perUserLimit()));
    }

    private void validate(BuyRequest body) {
        if (body == null) {
            throw ApiException.invalid("body", "a JSON object {userId, quantity} is required");
        }
        if (Ids.valid(body.userId()) && body.quantity() != null && body.quantity() >= 1
                && body.quantity() <= MAX_QUANTITY) {
            return; // what BuyRequest's constraints accept, checked by hand: the Validator only words refusals
        }
        Set<ConstraintViolation<BuyRequest>> violations = validator.validate(body);
        violations.stream().min(Comparator.comparing(v -> v.getPropertyPath().toString())).ifPresent(v -> {
            throw ApiException.invalid(v.getPropertyPath().toString(), v.getMessage());
        });
    }

    /** The order, or 404 ORDER_NOT_FOUND. */
    public OrderView get(String orderId) {
        requireShape(orderId);
        StoredReservation r = store.reservation(orderId).orElseThrow(() -> notFound(orderId));
        return OrderView.of(saleOf(r).id(), r);
    }

    /** RESERVED -> CONFIRMED (again: fine); 410 EXPIRED, 409 ORDER_CANCELLED, 404. */
    public OrderView confirm(String orderId) {
        requireShape(orderId);
        try {
            StoredReservation r = store.confirm(orderId);
            return OrderView.of(saleOf(r).id(), r);
        } catch (StoreRefusal refusal) {
            throw finishRefusal(orderId, refusal);
        }
    }

    /** RESERVED -> CANCELLED, units back on sale (again: fine); 410 EXPIRED, 409 ORDER_CONFIRMED, 404. */
    public OrderView cancel(String orderId) {
        requireShape(orderId);
        try {
            StoredReservation r = store.cancel(orderId);
            Sale sale = saleOf(r);
            admission.unitsReturned(sale.id());
            return OrderView.of(sale.id(), r);
        } catch (StoreRefusal refusal) {
            throw finishRefusal(orderId, refusal);
        }
    }

    private static ApiException finishRefusal(String orderId, StoreRefusal refusal) {
        return switch (refusal.code()) {
            case "EXPIRED" -> new ApiException(HttpStatus.GONE, "EXPIRED", "order " + orderId
                    + " expired: its units went back on sale");
            case "CANCELLED" -> ApiException.conflict("ORDER_CANCELLED", "order " + orderId + " was cancelled");
            case "CONFIRMED" -> ApiException.conflict("ORDER_CONFIRMED", "order " + orderId + " was confirmed");
            default -> notFound(orderId);
        };
    }

    private Sale saleOf(StoredReservation r) {
        if (r == null) {
            throw new StoreUnavailableException("the store lost a reservation it just answered for");
        }
        return sales.findBySku(r.sku()).orElseThrow(() -> notFound(r.requestId()));
    }

    private static void requireShape(String orderId) {
        if (!OrderIds.looksLikeOne(orderId)) {
            throw notFound(orderId);
        }
    }

    private static ApiException notFound(String orderId) {
        return ApiException.notFound("ORDER_NOT_FOUND", "no order " + orderId);
    }
}
