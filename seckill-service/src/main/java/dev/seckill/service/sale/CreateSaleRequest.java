package dev.seckill.service.sale;

import dev.seckill.service.api.Ids;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.time.Duration;
import java.time.Instant;

/** {@code POST /api/v1/sales}: a new sale of {@code stock} units of {@code sku}. */
public record CreateSaleRequest(
        @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE)
        @Schema(example = "phone-x-launch") String id,
        @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE)
        @Schema(example = "phone-x") String sku,
        @NotNull @Min(0) @Max(SaleService.MAX_UNITS)
        @Schema(example = "100") Long stock,
        @Schema(description = "default: now", example = "2026-11-25T20:00:00Z") Instant startsAt,
        @Schema(description = "default: never ends", example = "2026-11-25T21:00:00Z") Instant endsAt,
        @Min(1) @Max(1_000_000) @Schema(description = "most units one user may hold or buy; default: no limit", example = "2")
        Integer perUserLimit,
        @Schema(description = "how long an order holds its units; 1 second to 1 day, default PT15M", example = "PT15M")
        Duration reservationTtl) {
}
