package dev.seckill.service.sale;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** {@code POST /api/v1/sales/{id}/restock}: add (or, negative, withdraw unsold) units. */
public record RestockRequest(
        @NotNull @Min(-SaleService.MAX_UNITS) @Max(SaleService.MAX_UNITS)
        @Schema(example = "50", description = "units to add; negative withdraws available units; not 0") Long delta) {
}
