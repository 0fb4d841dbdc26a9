package dev.seckill.service.admin;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.DoubleStream;

/**
 * Purchase latency p50 and p99 over the last half minute or so, for the dashboard.
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

    /** p50 and p99 in milliseconds over the rolling window, summed over every purchase timer. */
    public static Reading read(MeterRegistry registry) {
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        long count = 0;
        for (Timer timer : registry.find(TIMER).timers()) {
            HistogramSnapshot snapshot = timer.takeSnapshot();
            count += timer.count();
            for (ValueAtPercentile v : snapshot.percentileValues()) {
                double ms = v.value(TimeUnit.MILLISECONDS);
                // several timers (one per tag set): report the worst, an operator wants to see trouble
                if (v.percentile() == P50) {
                    p50 = Double.isNaN(p50) ? ms : Math.max(p50, ms);
                } else if (v.percentile() == P99) {
                    p99 = Double.isNaN(p99) ? ms : Math.max(p99, ms);
                }
            }
        }
        return new Reading(p50, p99, count, WINDOW.toSeconds());
    }

    /**
     * @param p50Ms         median in ms over the window, NaN when no purchase timer exists yet
     * @param p99Ms         99th percentile in ms over the window, NaN likewise
     * @param countSinceStart purchases timed since start
     */
    public record Reading(double p50Ms, double p99Ms, long countSinceStart, long windowSeconds) {
    }
}
