package dev.seckill.service.admin;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-second increments of one counter family (for example {@code seckill.orders}), split by one tag
 * (for example {@code outcome}) and summed over the others, over a bounded window of recent seconds.
 *
 * <p>The registry only knows running totals; the dashboard wants "how many per second". So
 * {@link #sample(long)} is called once a second, reads the totals and keeps the difference to the
 * previous reading. The first reading is only a baseline (a sampler started late must not show
 * everything counted so far as one spike). When readings are missed (a long GC pause, a late
 * scheduler), the increment is spread evenly over the missed seconds, so the chart keeps the right
 * area instead of showing a spike. A total that goes down (a counter removed and registered again)
 * counts as a fresh start from zero.
 *
 * <p>Thread-safe: one thread samples, request threads read {@link #window()}.
 */
public final class CounterRates {

    private final MeterRegistry registry;
    private final String meterName;
    private final String tagKey;
    private final int windowSeconds;
    private final Set<String> knownValues;
    private final Tag only;

    private final ArrayDeque<Second> seconds = new ArrayDeque<>();
    private Map<String, Double> lastTotals;
    private long lastSecond;

    /**
     * @param knownValues tag values always present in {@link #window()} (zeros when none counted),
     *                    in this order, so a chart legend stays put
     */
    public CounterRates(MeterRegistry registry, String meterName, String tagKey, int windowSeconds,
                        List<String> knownValues) {
        this(registry, meterName, tagKey, windowSeconds, knownValues, null);
    }

    /**
     * Counts only the meters that also carry the tag {@code only} (for example orders of
     * {@code outcome=created}, split by {@code sale}).
     */
    public CounterRates(MeterRegistry registry, String meterName, String tagKey, int windowSeconds,
                        List<String> knownValues, Tag only) {
        if (windowSeconds < 1) {
            throw new IllegalArgumentException("windowSeconds must be at least 1, was " + windowSeconds);
        }
        this.registry = registry;
        this.meterName = meterName;
        this.tagKey = tagKey;
        this.windowSeconds = windowSeconds;
        this.knownValues = new LinkedHashSet<>(knownValues);
        this.only = only;
    }

    /**
     * Reads the running totals and records the increments since the last reading as the second
     * {@code epochSecond}. A second not after the last recorded one is ignored.
     */
    public synchronized void sample(long epochSecond) {
        Map<String, Double> totals = readTotals();
        if (lastTotals == null) {
            lastTotals = totals;
            lastSecond = epochSecond;
            return;
        }
        if (epochSecond <= lastSecond) {
            return;
        }
        Map<String, Long> increments = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : totals.entrySet()) {
            double before = lastTotals.getOrDefault(e.getKey(), 0.0);
            double now = e.getValue();
            long increment = Math.round(now >= before ? now - before : now);
            if (increment > 0) {
                increments.put(e.getKey(), increment);
            }
        }
        long gap = epochSecond - lastSecond;
        // only the newest windowSeconds of the gap can still be in the window
        for (long i = Math.min(gap, windowSeconds) - 1; i >= 0; i--) {
            long second = epochSecond - i;
            Map<String, Long> share = new LinkedHashMap<>();
            for (Map.Entry<String, Long> e : increments.entrySet()) {
                long total = e.getValue();
                // even shares; the remainder goes to the newest seconds
                long part = total / gap + ((gap - 1 - i) >= gap - total % gap ? 1 : 0);
                if (part > 0) {
                    share.put(e.getKey(), part);
                }
            }
            seconds.addLast(new Second(second, share));
        }
        while (seconds.size() > windowSeconds) {
            seconds.removeFirst();
        }
        lastTotals = totals;
        lastSecond = epochSecond;
    }

    /** The recorded seconds, oldest first, one series per tag value, all of the same length. */
    public synchronized Window window() {
        Set<String> values = new LinkedHashSet<>(knownValues);
        for (Second s : seconds) {
            values.addAll(s.increments().keySet());
        }
        Map<String, long[]> series = new LinkedHashMap<>();
        for (String v : values) {
            series.put(v, new long[seconds.size()]);
        }
        int i = 0;
        Iterator<Second> it = seconds.iterator();
        long first = seconds.isEmpty() ? lastSecond : seconds.peekFirst().epochSecond();
        while (it.hasNext()) {
            Second s = it.next();
            for (Map.Entry<String, Long> e : s.increments().entrySet()) {
                series.get(e.getKey())[i] = e.getValue();
            }
            i++;
        }
        Map<String, List<Long>> out = new LinkedHashMap<>();
        series.forEach((k, v) -> {
            List<Long> list = new ArrayList<>(v.length);
            for (long x : v) {
                list.add(x);
            }
            out.put(k, List.copyOf(list));
        });
        return new Window(first, seconds.size(), windowSeconds, out);
    }

    private Map<String, Double> readTotals() {
        Map<String, Double> totals = new LinkedHashMap<>();
        var search = only == null ? registry.find(meterName) : registry.find(meterName).tags(List.of(only));
        for (Meter meter : search.meters()) {
            String value = meter.getId().getTag(tagKey);
            if (value == null) {
                value = "unknown";
            }
            totals.merge(value, count(meter), Double::sum);
        }
        return totals;
    }

    /** For each tag value counted in the last {@code n} recorded seconds, its sum over them. */
    public synchronized Map<String, Long> lastSeconds(int n) {
        Map<String, Long> sums = new LinkedHashMap<>();
        Iterator<Second> it = seconds.descendingIterator();
        for (int i = 0; i < n && it.hasNext(); i++) {
            it.next().increments().forEach((k, v) -> sums.merge(k, v, Long::sum));
        }
        return sums;
    }

    private static double count(Meter meter) {
        for (Measurement m : meter.measure()) {
            if (m.getStatistic() == Statistic.COUNT) {
                return m.getValue();
            }
        }
        return 0;
    }

    private record Second(long epochSecond, Map<String, Long> increments) {
    }

    /**
     * Recorded seconds: {@code series.get(v).get(i)} is how many were counted with tag value
     * {@code v} in the second {@code firstSecond + i}.
     *
     * @param firstSecond   epoch second of the oldest entry
     * @param length        number of recorded seconds (at most {@code windowSeconds})
     * @param windowSeconds the bound of the window
     */
    public record Window(long firstSecond, int length, int windowSeconds, Map<String, List<Long>> series) {

        /** Sum over the last {@code n} recorded seconds of one tag value (0 if unknown). */
        public long lastSeconds(String value, int n) {
            List<Long> s = series.get(value);
            if (s == null) {
                return 0;
            }
            long sum = 0;
            for (int i = Math.max(0, s.size() - n); i < s.size(); i++) {
                sum += s.get(i);
            }
            return sum;
        }
    }
}
