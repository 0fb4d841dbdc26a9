package dev.seckill.service.order;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;

@RestController
@Tag(name = "orders", description = "buy with an Idempotency-Key; read, confirm and cancel orders")
public class OrderController {
    private final OrderService orders;

    public OrderController(OrderService orders) {
        this.orders = orders;
    }

    @PostMapping(path = "/api/v1/sales/{saleId}/orders", consumes = "application/json", produces = "application/json")
    @Operation(summary = "buy: reserve units for a user, held for the sale's reservation TTL",
            description = "201 {orderId, status: RESERVED, expiresAt}; the same Idempotency-Key replayed gets the same"
                    + " status and body. 409 SOLD_OUT / INSUFFICIENT_STOCK / SALE_NOT_ACTIVE, 403 PURCHASE_LIMIT,"
                    + " 429 THROTTLED and 503 UNAVAILABLE with Retry-After, 422 IDEMPOTENCY_KEY_REUSED, 400")
    public ResponseEntity<OrderView> buy(
            @PathVariable String saleId,
            @Parameter(required = true, description = "the caller's key for this purchase (1 to 128 visible ASCII"
                    + " characters); retries send the same key")
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestBody BuyRequest body) {
        OrderService.Purchase p = orders.buy(saleId, idempotencyKey, body);
        return ResponseEntity.status(HttpStatus.CREATED)
                .location(URI.create("/api/v1/orders/" + p.order().orderId())).body(p.order());
    }

    @GetMapping(path = "/api/v1/orders/{orderId}", produces = "application/json")
    @Operation(summary = "an order: RESERVED, CONFIRMED, CANCELLED or EXPIRED", description = "404 ORDER_NOT_FOUND")
    public OrderView get(@PathVariable String orderId) {
        return orders.get(orderId);
    }

    @PostMapping(path = "/api/v1/orders/{orderId}/confirm", produces = "application/json")
    @Operation(summary = "confirm (the units are sold)", description = "200 CONFIRMED; 410 EXPIRED; 409 ORDER_CANCELLED; 404")
    public OrderView confirm(@PathVariable String orderId) {
        return orders.confirm(orderId);
    }

    @PostMapping(path = "/api/v1/orders/{orderId}/cancel", produces = "application/json")
    @Operation(summary = "cancel (the units go back on sale)", description = "200 CANCELLED; 410 EXPIRED; 409 ORDER_CONFIRMED; 404")
    public OrderView cancel(@PathVariable String orderId) {
        return orders.cancel(orderId);
    }
}
