package dev.seckill.service.sale;

import dev.seckill.service.api.Ids;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

@RestController
@RequestMapping(path = "/api/v1/sales", produces = "application/json")
@Tag(name = "sales", description = "flash sales and their live stock; creating and restocking needs the admin token")
public class SaleController {
    private final SaleService sales;

    public SaleController(SaleService sales) {
        this.sales = sales;
    }

    @PostMapping(consumes = "application/json")
    @Operation(summary = "create a sale (admin): its SKU is created in the store with the stock",
            description = "201; 409 SALE_EXISTS or SKU_IN_USE; 400 INVALID_REQUEST naming the field")
    public ResponseEntity<SaleView> create(@Valid @RequestBody CreateSaleRequest body) {
        SaleView created = sales.create(body);
        return ResponseEntity.created(URI.create("/api/v1/sales/" + created.id())).body(created);
    }

    @GetMapping
    @Operation(summary = "every sale with its live stock {total, available, reserved, sold}")
    public List<SaleView> list() {
        return sales.list();
    }

    @GetMapping("/{id}")
    @Operation(summary = "one sale with its live stock", description = "404 SALE_NOT_FOUND")
    public SaleView get(@PathVariable String id) {
        return sales.get(Ids.require("id", id));
    }

    @PostMapping(path = "/{id}/restock", consumes = "application/json")
    @Operation(summary = "add units to a sale (admin); a negative delta withdraws available units",
            description = "200 with the sale; 409 INSUFFICIENT_STOCK when withdrawing more than is available."
                    + " With an Idempotency-Key a retry adds nothing again (it gets the first answer's outcome)")
    public SaleView restock(@PathVariable String id,
                            @Parameter(description = "optional: the caller's key for this restock (1 to 128 visible"
                                    + " ASCII characters); retries send the same key")
                            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
                            @Valid @RequestBody RestockRequest body) {
        return sales.restock(Ids.require("id", id), body.delta(), idempotencyKey);
    }
}
