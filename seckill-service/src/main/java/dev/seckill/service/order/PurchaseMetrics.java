package dev.seckill.service.order;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code seckill.orders} (counter, tags {@code outcome} and {@code sale}) and
 * {@code seckill.purchase.latency} (timer with a percentile histogram, tag {@code outcome}).
 * Outcomes: created, replayed, sold_out, insufficient_stock, purchase_limit, sale_not_active,
 * throttled, unavailable, invalid. A purchase naming no known sale is tagged {@code sale=unknown},
 * so made-up sale ids cannot grow the tag set.
 */
@Component
public class PurchaseMetrics {
    public static final String UNKNOWN_SALE = "unknown";

    private final MeterRegistry meters;
    private final Map<String, Counter> orders = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();

    public PurchaseMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    public void record(String outcome, String sale, long nanos) {
        orders.computeIfAbsent(outcome + '\n' + sale, k -> Counter.builder("seckill.orders")
                .description("purchase attempts by outcome").tag("outcome", outcome).tag("sale", sale)
                .register(meters)).increment();
        latency.computeIfAbsent(outcome, o -> Timer.builder("seckill.purchase.latency")
                .description("purchase answer time, admission and store included").tag("outcome", o)
                .publishPercentileHistogram().register(meters)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A purchase whose body could not even be read (malformed JSON): counted, not timed. */
    public void unreadable() {
        orders.computeIfAbsent("invalid\n" + UNKNOWN_SALE, k -> Counter.builder("seckill.orders")
                .description("purchase attempts by outcome").tag("outcome", "invalid").tag("sale", UNKNOWN_SALE)
                .register(meters)).increment();
    }

    /** The outcome a refusal of the purchase call counts as. */
    static String outcomeOf(String code) {
        return switch (code) {
            case "SOLD_OUT" -> "sold_out";
            case "INSUFFICIENT_STOCK" -> "insufficient_stock";
            case "PURCHASE_LIMIT" -> "purchase_limit";
            case "SALE_NOT_ACTIVE" -> "sale_not_active";
            case "THROTTLED" -> "throttled";
            case "UNAVAILABLE", "SKU_MISSING" -> "unavailable";
            default -> "invalid";
        };
    }
}
