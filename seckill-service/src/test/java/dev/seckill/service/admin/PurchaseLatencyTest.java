package dev.seckill.service.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PurchaseLatencyTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();

    {
        registry.config().meterFilter(PurchaseLatency.percentilesFilter());
    }

    @Test
    void givesP50AndP99ForEachOutcome() {
        Timer created = Timer.builder(PurchaseLatency.TIMER).tag("outcome", "created")
                .publishPercentileHistogram().register(registry);
        Timer soldOut = Timer.builder(PurchaseLatency.TIMER).tag("outcome", "sold_out")
                .publishPercentileHistogram().register(registry);
        for (int i = 0; i < 980; i++) {
            created.record(Duration.ofMillis(2));
        }
        for (int i = 0; i < 20; i++) {
            created.record(Duration.ofMillis(80));
        }
        soldOut.record(Duration.ofMillis(7));

        PurchaseLatency.Reading r = PurchaseLatency.read(registry);
        assertThat(r.byOutcome()).containsOnlyKeys("created", "sold_out");
        PurchaseLatency.Outcome c = r.byOutcome().get("created");
        // Micrometer's percentiles are approximations with a few percent of error
        assertThat(c.p50Ms()).isCloseTo(2.0, within(0.2));
        assertThat(c.p99Ms()).isCloseTo(80.0, within(8.0));
        assertThat(c.countSinceStart()).isEqualTo(1000);
        assertThat(r.byOutcome().get("sold_out").p99Ms()).isCloseTo(7.0, within(0.7));
        assertThat(r.windowSeconds()).isEqualTo(30);
    }

    @Test
    void keepsThePercentilesTheServiceAskedForAndLeavesOtherTimersAlone() {
        Timer purchase = Timer.builder(PurchaseLatency.TIMER).publishPercentiles(0.95).register(registry);
        Timer other = Timer.builder("seckill.store.roundtrip").register(registry);
        purchase.record(Duration.ofMillis(1));
        other.record(Duration.ofMillis(1));

        assertThat(Arrays.stream(purchase.takeSnapshot().percentileValues()).map(ValueAtPercentile::percentile))
                .containsExactly(0.5, 0.95, 0.99);
        assertThat(other.takeSnapshot().percentileValues()).isEmpty();
    }

    @Test
    void withoutAnyPurchaseTimerThereIsNoFigure() {
        assertThat(PurchaseLatency.read(registry).byOutcome()).isEmpty();
    }
}
