package dev.seckill.service.order;

import dev.seckill.service.api.Ids;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** {@code POST /api/v1/sales/{id}/orders}: {@code userId} wants {@code quantity} units. */
public record BuyRequest(
        @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) @Schema(example = "alice") String userId,
        @NotNull @Min(1) @Max(OrderService.MAX_QUANTITY) @Schema(example = "1") Integer quantity) {
}
