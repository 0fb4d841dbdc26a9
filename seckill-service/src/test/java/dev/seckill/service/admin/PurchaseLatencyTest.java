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
    void givesP50AndP99OfThePurchaseTimer() {
        Timer timer = Timer.builder(PurchaseLatency.TIMER).publishPercentileHistogram().register(registry);
        for (int i = 0; i < 980; i++) {
            timer.record(Duration.ofMillis(2));
        }
        for (int i = 0; i < 20; i++) {
            timer.record(Duration.ofMillis(80));
        }

        PurchaseLatency.Reading r = PurchaseLatency.read(registry);
        // Micrometer's percentiles are approximations with a few percent of error
        assertThat(r.p50Ms()).isCloseTo(2.0, within(0.2));
        assertThat(r.p99Ms()).isCloseTo(80.0, within(8.0));
        assertThat(r.countSinceStart()).isEqualTo(1000);
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
        PurchaseLatency.Reading r = PurchaseLatency.read(registry);
        assertThat(r.p50Ms()).isNaN();
        assertThat(r.p99Ms()).isNaN();
        assertThat(r.countSinceStart()).isZero();
    }
}
