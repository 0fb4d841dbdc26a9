package dev.seckill.service.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class CounterRatesTest {

    private static final long T = 1_764_100_000L;

    private final MeterRegistry registry = new SimpleMeterRegistry();

    private Counter orders(String outcome, String sale) {
        return registry.counter("seckill.orders", "outcome", outcome, "sale", sale);
    }

    private CounterRates rates(int windowSeconds) {
        return new CounterRates(registry, "seckill.orders", "outcome", windowSeconds, List.of("created", "sold_out"));
    }

    @Test
    void recordsTheIncrementOfEachSecondByTagSummedOverTheOtherTags() {
        CounterRates rates = rates(300);
        rates.sample(T);
        orders("created", "a").increment(3);
        orders("created", "b").increment(2);
        orders("sold_out", "a").increment(7);
        rates.sample(T + 1);
        orders("created", "a").increment(1);
        rates.sample(T + 2);

        CounterRates.Window w = rates.window();
        assertThat(w.firstSecond()).isEqualTo(T + 1);
        assertThat(w.length()).isEqualTo(2);
        assertThat(w.series().get("created")).containsExactly(5L, 1L);
        assertThat(w.series().get("sold_out")).containsExactly(7L, 0L);
        assertThat(w.lastSeconds("created", 5)).isEqualTo(6);
    }

    @Test
    void theFirstReadingIsOnlyABaselineSoALateStartShowsNoSpike() {
        orders("created", "a").increment(10_000);
        CounterRates rates = rates(300);
        rates.sample(T);
        orders("created", "a").increment(4);
        rates.sample(T + 1);

        assertThat(rates.window().series().get("created")).containsExactly(4L);
    }

    @Test
    void knownTagValuesAreAlwaysThereAndNewOnesAreAdded() {
        CounterRates rates = rates(300);
        rates.sample(T);
        orders("throttled", "a").increment(2);
        rates.sample(T + 1);

        CounterRates.Window w = rates.window();
        assertThat(w.series()).containsOnlyKeys("created", "sold_out", "throttled");
        assertThat(w.series().get("created")).containsExactly(0L);
        assertThat(w.series().get("throttled")).containsExactly(2L);
        assertThat(w.series().keySet()).startsWith("created", "sold_out");
    }

    @Test
    void keepsAtMostTheWindowOfSecondsDroppingTheOldest() {
        CounterRates rates = rates(300);
        rates.sample(T);
        for (int i = 1; i <= 400; i++) {
            orders("created", "a").increment(i);
            rates.sample(T + i);
        }

        CounterRates.Window w = rates.window();
        assertThat(w.length()).isEqualTo(300);
        assertThat(w.windowSeconds()).isEqualTo(300);
        assertThat(w.firstSecond()).isEqualTo(T + 101);
        assertThat(w.series().get("created")).hasSize(300);
        assertThat(w.series().get("created").get(0)).isEqualTo(101L);
        assertThat(w.series().get("created").get(299)).isEqualTo(400L);
    }

    @Test
    void missedSecondsShareTheIncrementEvenlyWithTheRemainderOnTheNewest() {
        CounterRates rates = rates(300);
        rates.sample(T);
        orders("created", "a").increment(10);
        rates.sample(T + 3);

        CounterRates.Window w = rates.window();
        assertThat(w.firstSecond()).isEqualTo(T + 1);
        assertThat(w.series().get("created")).containsExactly(3L, 3L, 4L);
    }

    @Test
    void aGapLongerThanTheWindowKeepsOnlyTheWindowsShare() {
        CounterRates rates = rates(10);
        rates.sample(T);
        orders("created", "a").increment(5);
        rates.sample(T + 1);
        orders("created", "a").increment(100);
        rates.sample(T + 101); // 100 seconds missed: one a second, the last 10 of them in the window

        CounterRates.Window w = rates.window();
        assertThat(w.length()).isEqualTo(10);
        assertThat(w.firstSecond()).isEqualTo(T + 92);
        assertThat(w.series().get("created")).containsOnly(1L);
    }

    @Test
    void aSecondAlreadyRecordedIsIgnoredAndItsCountsLandInTheNextOne() {
        CounterRates rates = rates(300);
        rates.sample(T);
        orders("created", "a").increment(2);
        rates.sample(T + 1);
        orders("created", "a").increment(3);
        rates.sample(T + 1);
        rates.sample(T + 2);

        assertThat(rates.window().series().get("created")).containsExactly(2L, 3L);
    }

    @Test
    void aCounterRegisteredAfreshCountsFromZero() {
        CounterRates rates = rates(300);
        Counter c = orders("created", "a");
        c.increment(50);
        rates.sample(T);
        registry.remove(c);
        orders("created", "a").increment(2);
        rates.sample(T + 1);

        assertThat(rates.window().series().get("created")).containsExactly(2L);
    }

    @Test
    void canCountOnlyMetersWithOneTagAndSumTheLastSeconds() {
        CounterRates bySale = new CounterRates(registry, "seckill.orders", "sale", 5, List.of(),
                Tag.of("outcome", "created"));
        bySale.sample(T);
        orders("created", "a").increment(2);
        orders("created", "b").increment(1);
        orders("sold_out", "a").increment(50);
        bySale.sample(T + 1);
        orders("created", "a").increment(3);
        bySale.sample(T + 2);

        assertThat(bySale.lastSeconds(5)).containsOnly(entry("a", 5L), entry("b", 1L));
        assertThat(bySale.lastSeconds(1)).containsOnly(entry("a", 3L));
    }

    @Test
    void beforeTwoReadingsTheWindowIsEmpty() {
        CounterRates rates = rates(300);
        assertThat(rates.window().length()).isZero();
        rates.sample(T);
        assertThat(rates.window().length()).isZero();
        assertThat(rates.window().series().get("created")).isEmpty();
    }

    @Test
    void refusesAnEmptyWindow() {
        assertThatThrownBy(() -> rates(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windowSeconds");
    }
}
