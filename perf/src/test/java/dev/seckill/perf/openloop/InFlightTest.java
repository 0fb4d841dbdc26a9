package dev.seckill.perf.openloop;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InFlightTest {
    private static final long MS = 1_000_000;

    /**
     * The sender is held up for 100 ms (a stalled server, a GC pause in the generator): the 101
     * requests due by then go out together and are answered 1 ms later. Measured from their send
     * time they would all look like 1 ms; measured from their intended times they are what buyers
     * arriving at 1000/s would have waited: 101 ms for the first, 1 ms for the last.
     */
    @Test
    void aStalledSenderShowsInTheLatenciesNotOnlyInTheRate() {
        ArrivalSchedule schedule = new ArrivalSchedule(0, 1_000);
        InFlight inFlight = new InFlight(1024);
        long sentAt = 100 * MS;
        long due = schedule.dueBy(sentAt);
        assertThat(due).isEqualTo(101);
        for (long k = 0; k < due; k++) {
            inFlight.add(schedule.intendedNanos(k));
        }
        Histogram latencies = new Histogram(3);
        for (long k = 0; k < due; k++) {
            latencies.recordValue(inFlight.answered(sentAt + MS));
        }
        assertThat(latencies.getMaxValue()).isBetween(100 * MS, 102 * MS);
        assertThat(latencies.getMinValue()).isBetween(MS - MS / 100, MS + MS / 100);
        assertThat(latencies.getValueAtPercentile(50)).isBetween(50 * MS, 52 * MS);
        assertThat(inFlight.size()).isZero();
    }

    /**
     * HTTP's one request per connection: buyers due every 5 ms, one connection, 10 ms per answer.
     * Request k can only go out when answer k - 1 came (at 10 ms x k), so it waits in the
     * generator; timed from its due time (5 ms x k) it took 10 ms x (k + 1) - 5 ms x k = 10 + 5 k ms,
     * though every answer took the server exactly 10 ms.
     */
    @Test
    void requestsQueuedForABusyConnectionKeepTheirIntendedTimes() {
        ArrivalSchedule schedule = new ArrivalSchedule(0, 200);
        InFlight connection = new InFlight(1);
        long free = 0; // when the connection is next free
        for (long k = 0; k < 20; k++) {
            long sent = Math.max(schedule.intendedNanos(k), free);
            assertThat(connection.hasRoom()).isTrue();
            connection.add(schedule.intendedNanos(k));
            assertThat(connection.hasRoom()).isFalse();
            free = sent + 10 * MS;
            assertThat(connection.answered(free)).isEqualTo((10 + 5 * k) * MS);
        }
    }

    @Test
    void answersTakeTheOldestRequestFirst() {
        InFlight inFlight = new InFlight(4);
        inFlight.add(10);
        inFlight.add(20);
        assertThat(inFlight.answered(25)).isEqualTo(15);
        assertThat(inFlight.answered(25)).isEqualTo(5);
    }

    @Test
    void aFullConnectionTakesNoMoreAndAnAnswerNeedsARequest() {
        InFlight inFlight = new InFlight(2);
        inFlight.add(1);
        inFlight.add(2);
        assertThat(inFlight.hasRoom()).isFalse();
        assertThatThrownBy(() -> inFlight.add(3)).isInstanceOf(IllegalStateException.class);
        inFlight.answered(5);
        inFlight.answered(5);
        assertThatThrownBy(() -> inFlight.answered(5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new InFlight(3)).isInstanceOf(IllegalArgumentException.class);
    }
}
