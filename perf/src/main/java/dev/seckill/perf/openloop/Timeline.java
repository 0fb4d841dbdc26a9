package dev.seckill.perf.openloop;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Latency over a step's time, bucketed by each request's intended send time: where in the step the
 * slow answers were (a sell-out rush at the start, a GC pause in the middle), which one overall
 * percentile cannot tell. Written by the reader thread only; read once the step is over.
 */
public final class Timeline {
    private final long startNanos;
    private final long bucketNanos;
    private final long slowNanos;
    private final long[] count;
    private final long[] slow;
    private final long[] created;
    private final long[] maxNanos;

    /**
     * @param startNanos  the step's first intended send time
     * @param bucketNanos the width of one bucket
     * @param buckets     how many; later requests fall into the last one
     * @param slowNanos   answers at least this late count as slow
     */
    public Timeline(long startNanos, long bucketNanos, int buckets, long slowNanos) {
        this.startNanos = startNanos;
        this.bucketNanos = bucketNanos;
        this.slowNanos = slowNanos;
        this.count = new long[buckets];
        this.slow = new long[buckets];
        this.created = new long[buckets];
        this.maxNanos = new long[buckets];
    }

    void record(long intendedNanos, long latencyNanos, int status) {
        int b = (int) Math.max(0, Math.min(count.length - 1, (intendedNanos - startNanos) / bucketNanos));
        count[b]++;
        if (latencyNanos >= slowNanos) {
            slow[b]++;
        }
        if (status == 201) {
            created[b]++;
        }
        maxNanos[b] = Math.max(maxNanos[b], latencyNanos);
    }

    /** Appends one row per bucket that saw a request: label, offered rate, bucket start, counts, worst. */
    public void append(Path file, String label, long offered) throws IOException {
        boolean fresh = !Files.exists(file);
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            if (fresh) {
                out.println("label,offered_per_s,bucket_start_ms,requests,created_201,slow,max_ms");
            }
            for (int b = 0; b < count.length; b++) {
                if (count[b] > 0) {
                    out.printf(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%.3f%n", label, offered, b * bucketNanos / 1_000_000,
                            count[b], created[b], slow[b], maxNanos[b] / 1e6);
                }
            }
        }
    }
}
