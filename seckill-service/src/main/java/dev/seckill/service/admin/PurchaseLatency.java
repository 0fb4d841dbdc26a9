package dev.seckill.service.admin;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.DoubleStream;

/**
 * Purchase latency p50 and p99 by outcome over the last half minute or so, for the dashboard.
 *
 * <p>A Prometheus histogram counts since start, which says little about "now" during a sale. So
 * the {@link #percentilesFilter() filter} asks Micrometer to also keep p50 and p99 of the purchase
 * timer over a rolling window ({@link #WINDOW}, rotated in three steps), and {@link #read} reads
 * them. The filter must be in place before the timer is first registered (Spring Boot applies
 * {@code MeterFilter} beans when it creates the registry). It adds percentiles, it takes none away.
 */
public final class PurchaseLatency {

    public static final String TIMER = "seckill.purchase.latency";
    static final Duration WINDOW = Duration.ofSeconds(30);
    private static final double P50 = 0.5;
    private static final double P99 = 0.99;

    private PurchaseLatency() {
    }

    /** Adds rolling p50 and p99 to the purchase latency timer. */
    public static MeterFilter percentilesFilter() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!TIMER.equals(id.getName())) {
                    return config;
                }
                double[] theirs = config.getPercentiles() == null ? new double[0] : config.getPercentiles();
                double[] both = DoubleStream.concat(Arrays.stream(theirs), DoubleStream.of(P50, P99))
                        .distinct().sorted().toArray();
                return DistributionStatisticConfig.builder()
                        .percentiles(both)
                        .expiry(WINDOW)
                        .bufferLength(3)
                        .build()
                        .merge(config);
            }
        };
    }

    /**
     * p50 and p99 in milliseconds over the rolling window, one entry per {@code outcome} tag
     * (percentiles of different timers cannot be merged, and a fast "sold out" should not hide a
     * slow "created").
     */
    public static Reading read(MeterRegistry registry) {
        Map<String, Outcome> byOutcome = new TreeMap<>();
        for (Timer timer : registry.find(TIMER).timers()) {
            String outcome = timer.getId().getTag("outcome");
            double p50 = Double.NaN;
            double p99 = Double.NaN;
            for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
                if (v.percentile() == P50) {
                    p50 = v.value(TimeUnit.MILLISECONDS);
                } else if (v.percentile() == P99) {
                    p99 = v.value(TimeUnit.MILLISECONDS);
                }
            }
            byOutcome.put(outcome == null ? "all" : outcome, new Outcome(p50, p99, timer.count()));
        }
        return new Reading(byOutcome, WINDOW.toSeconds());
    }

    /**
     * @param p50Ms           median in ms over the window (0 when nothing was timed in it)
     * @param p99Ms           99th percentile in ms over the window
     * @param countSinceStart purchases with this outcome timed since start
     */
    public record Outcome(double p50Ms, double p99Ms, long countSinceStart) {
    }

    /** Latency by purchase outcome, over the last {@code windowSeconds} or so. */
    public record Reading(Map<String, Outcome> byOutcome, long windowSeconds) {
    }
}
