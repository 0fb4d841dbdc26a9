package dev.seckill.perf.openloop;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArrivalScheduleTest {
    @Test
    void requestsAreSpreadEvenlyFromTheStart() {
        ArrivalSchedule s = new ArrivalSchedule(1_000, 4);
        assertThat(s.intendedNanos(0)).isEqualTo(1_000);
        assertThat(s.intendedNanos(1)).isEqualTo(1_000 + 250_000_000);
        assertThat(s.intendedNanos(4)).isEqualTo(1_000 + 1_000_000_000);
    }

    @Test
    void dueByCountsExactlyTheRequestsWhoseTimeHasCome() {
        for (long rate : new long[] {1, 3, 7_919, 10_000, 333_333, 1_000_000}) {
            ArrivalSchedule s = new ArrivalSchedule(5_000_000_000L, rate);
            assertThat(s.dueBy(5_000_000_000L - 1)).isZero();
            for (long k = 0; k < 5_000; k++) {
                long t = s.intendedNanos(k);
                assertThat(s.dueBy(t)).as("rate %d, at the time of request %d", rate, k).isEqualTo(k + 1);
                assertThat(s.dueBy(t - 1)).as("rate %d, just before request %d", rate, k).isEqualTo(k);
            }
        }
    }

    @Test
    void aLongRunNeitherDriftsNorSkips() {
        long rate = 7_919; // 1e9 / rate is not a whole number of nanoseconds
        ArrivalSchedule s = new ArrivalSchedule(0, rate);
        long tenMinutes = 600_000_000_000L;
        assertThat(s.intendedNanos(rate * 600)).isEqualTo(tenMinutes);
        assertThat(s.dueBy(tenMinutes - 1)).isEqualTo(rate * 600);
    }

    @Test
    void aRateMustBePositive() {
        assertThatThrownBy(() -> new ArrivalSchedule(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
