package dev.seckill.perf;

import dev.seckill.perf.openloop.AnswerReader;
import dev.seckill.perf.openloop.ArrivalSchedule;
import dev.seckill.perf.openloop.HttpFraming;
import dev.seckill.perf.openloop.HttpRequestTemplate;
import dev.seckill.perf.openloop.LoadConnection;
import dev.seckill.perf.openloop.RequestTemplate;
import dev.seckill.perf.openloop.Timeline;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP/1.1 load generator for the purchase API: buyers arrive at a fixed rate, each a
 * new buyer ({@code userId} and {@code Idempotency-Key} of its own), whether or not earlier ones
 * were answered. Each latency runs from the request's intended send time ({@link ArrivalSchedule}),
 * so waits show in the percentiles (no coordinated omission; wrk, closed loop, slows down with the
 * server instead).
 *
 * <p>Kept-alive connections, one request outstanding on each at a time, as HTTP clients do (no
 * pipelining). A request due while every connection is busy waits in the generator (its place in
 * the schedule is its intended time, so the wait counts in its latency) and goes out on the first
 * connection answered. {@code --connections} is thus the most requests the server sees at once.
 * Two threads: a sender that sleeps until the next request is due or a connection comes back, and
 * the {@link AnswerReader} blocked on all connections; a connection the server closes after an
 * answer (Tomcat: every 100th) is reopened.
 *
 * <p>It steps through the offered rates, each for {@code --seconds}, and appends one CSV row per
 * step: {@link OfferedLoad}'s columns (errors: answers other than 201/409/429/503, plus requests
 * left unanswered), then the answers by status, the requests unanswered and the generator's own
 * CPU per request (its process CPU time over the step, JIT and GC included, over the requests
 * sent). It stops after the first step it could not keep up with: answers below 90% of the
 * offered rate, answers still missing {@code --drain} seconds after the step, or more than 10% of
 * the answers fast rejections (429/503) or errors. With {@code --timeline FILE} it also appends,
 * per step, a row for each 50 ms of intended send time: requests, 201s, answers slower than 50 ms
 * and the slowest ({@link Timeline}), to show where in the step the tail came from. With
 * {@code --warm-sale} it first offers {@code --warm-rate} to that sale for {@code --warm-seconds}
 * (not recorded), so this JVM's JIT is warm when the first measured step starts.
 *
 * <pre>SECKILL_SERVICE_TOKEN=... java -cp perf/target/benchmarks.jar dev.seckill.perf.HttpOfferedLoad \
 *     --url http://127.0.0.1:8080 --sale SALE --rates 250,500,1000 [--connections 200] [--seconds 10] [--csv FILE]</pre>
 */
public final class HttpOfferedLoad implements AutoCloseable {
    static final String CSV_HEADER = OfferedLoad.CSV_HEADER
            + ",created_201,conflict_409,throttled_429,unavailable_503,other_status,unanswered,generator_cpu_us_per_request";

    /** The timeline's bucket width and the latency it counts as slow (the spike target's p99 bound). */
    static final long TIMELINE_BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long TIMELINE_SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final List<LoadConnection> connections;
    private final ArrayBlockingQueue<LoadConnection> idle;
    private final AnswerReader reader;
    private final RequestTemplate template;
    private long nextId;

    private HttpOfferedLoad(List<LoadConnection> connections, ArrayBlockingQueue<LoadConnection> idle,
            AnswerReader reader, RequestTemplate template) {
        this.connections = connections;
        this.idle = idle;
        this.reader = reader;
        this.template = template;
    }

    /** Opens {@code count} kept-alive connections to {@code address} and starts the reader thread. */
    static HttpOfferedLoad connect(InetSocketAddress address, int count, RequestTemplate template) throws IOException {
        List<LoadConnection> connections = new ArrayList<>();
        try {
            ArrayBlockingQueue<LoadConnection> idle = new ArrayBlockingQueue<>(count);
            for (int i = 0; i < count; i++) {
                LoadConnection c = new LoadConnection(address, 1, template.maxBytes());
                connections.add(c);
                idle.add(c);
            }
            AnswerReader reader = new AnswerReader(connections, new HttpFraming(), idle::add);
            Thread readerThread = new Thread(reader, "answer-reader");
            readerThread.setDaemon(true);
            readerThread.start();
            return new HttpOfferedLoad(connections, idle, reader, template);
        } catch (IOException e) {
            for (LoadConnection c : connections) {
                c.close();
            }
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
        for (LoadConnection c : connections) {
            c.close();
        }
    }

    /** Connections reopened so far after the server closed them. */
    long reopened() {
        return reader.reopened();
    }

    /** What one step at one offered rate gave; {@code statuses[s]}: answers with status s. */
    record Step(long offered, double achieved, long requests, Histogram latencies, long[] statuses, long unanswered,
            long cpuNanos, long sent, Timeline timeline) {
        long created() {
            return statuses[201];
        }

        long conflicts() {
            return statuses[409];
        }

        long rejected() {
            return statuses[429] + statuses[503];
        }

        /** Answers outside 201/409/429/503 (a closed connection counts as status 0). */
        long otherStatuses() {
            long n = 0;
            for (int s = 0; s < statuses.length; s++) {
                n += statuses[s];
            }
            return n - created() - conflicts() - rejected();
        }

        boolean keptUp() {
            return unanswered == 0 && achieved >= 0.9 * offered && (rejected() + otherStatuses()) * 10 <= requests;
        }

        /** Requests that went out but got no answer (not those never sent). */
        long sentUnanswered() {
            return sent - (requests - unanswered);
        }

        double cpuMicrosPerRequest() {
            return sent == 0 ? 0 : cpuNanos / 1e3 / sent;
        }

        String csv(String target, String command, int connections) {
            return String.format(Locale.ROOT, "%s,%s,%d,%d,%.0f,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,%d,%d,%d,%d,%.1f",
                    target, command, connections, offered, achieved, requests, ms(latencies.getValueAtPercentile(50)),
                    ms(latencies.getValueAtPercentile(90)), ms(latencies.getValueAtPercentile(99)),
                    ms(latencies.getValueAtPercentile(99.9)), ms(latencies.getMaxValue()),
                    otherStatuses() + unanswered, created(), conflicts(), statuses[429], statuses[503], otherStatuses(),
                    unanswered, cpuMicrosPerRequest());
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    /**
     * Offers {@code rate} requests/s for {@code seconds}, then waits up to {@code drainSeconds} for
     * the answers still owed. Requests not yet sent when that time is up are not sent at all; all
     * of them count as unanswered.
     */
    Step run(long rate, double seconds, double drainSeconds) throws IOException, InterruptedException {
        reader.takeLatencies(); // forget what an earlier step left
        long[] before = statuses();
        long answersBefore = reader.answers();
        long windowBefore = reader.answersInWindow();
        long cpuBefore = processCpuNanos();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        long end = start + (long) (seconds * 1e9);
        long giveUp = end + (long) (drainSeconds * 1e9);
        ArrivalSchedule schedule = new ArrivalSchedule(start, rate);
        Timeline timeline = new Timeline(start, TIMELINE_BUCKET_NANOS,
                (int) Math.ceil(seconds * 1e9 / TIMELINE_BUCKET_NANOS) + 1, TIMELINE_SLOW_NANOS);
        reader.recordInto(timeline);
        long total = schedule.dueBy(end - 1);
        reader.windowEndsAt(end);
        List<LoadConnection> unflushed = new ArrayList<>();
        LoadConnection spare = null; // a connection that came back while the sender waited for one
        long k = 0;
        while (k < total || !unflushed.isEmpty()) {
            if (reader.failure() != null) {
                throw new IOException("the reader stopped", reader.failure());
            }
            long now = System.nanoTime();
            if (now > giveUp) {
                break;
            }
            long due = Math.min(schedule.dueBy(now), total);
            boolean allBusy = false;
            while (k < due) {
                LoadConnection c = spare != null ? spare : idle.poll();
                spare = null;
                if (c == null) {
                    allBusy = true; // request k waits for a connection; its intended time stays
                    break;
                }
                c.noteIntended(schedule.intendedNanos(k));
                template.write(c.out(), nextId++);
                k++;
                if (!c.flush()) {
                    unflushed.add(c);
                }
            }
            for (int i = unflushed.size() - 1; i >= 0; i--) {
                if (unflushed.get(i).flush()) {
                    unflushed.remove(i);
                }
            }
            if (allBusy && unflushed.isEmpty()) {
                spare = idle.poll(Math.min(giveUp - now, TimeUnit.MILLISECONDS.toNanos(10)), TimeUnit.NANOSECONDS);
            } else if (!unflushed.isEmpty()) {
                LockSupport.parkNanos(50_000);
            } else if (k < total) {
                LockSupport.parkNanos(Math.max(schedule.intendedNanos(k) - System.nanoTime(), 0));
            }
        }
        if (spare != null) {
            idle.add(spare);
        }
        long sent = k;
        while (reader.answers() - answersBefore < sent && System.nanoTime() < giveUp && reader.failure() == null) {
            LockSupport.parkNanos(1_000_000);
        }
        long[] statuses = statuses();
        for (int s = 0; s < statuses.length; s++) {
            statuses[s] -= before[s];
        }
        long answered = reader.answers() - answersBefore;
        double achieved = (reader.answersInWindow() - windowBefore) / seconds;
        reader.recordInto(null);
        return new Step(rate, achieved, total, reader.takeLatencies(), statuses, total - answered,
                processCpuNanos() - cpuBefore, sent, timeline);
    }

    private long[] statuses() {
        long[] counts = new long[AnswerReader.KINDS];
        for (int s = 0; s < counts.length; s++) {
            counts[s] = reader.answersOf(s);
        }
        return counts;
    }

    /** This JVM's CPU time so far, all threads (the generator's own cost). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The purchase of one unit by a new buyer each time, as perf/wrk/buy.lua sends it. */
    static HttpRequestTemplate purchase(URI url, String sale, String token, String idPrefix) {
        return new HttpRequestTemplate("POST", "/api/v1/sales/" + sale + "/orders", url.getHost() + ":" + port(url),
                List.of("Authorization: Bearer " + token, "Content-Type: application/json",
                        "Idempotency-Key: k-" + RequestTemplate.ID),
                "{\"userId\":\"u-" + RequestTemplate.ID + "\",\"quantity\":1}", idPrefix);
    }

    private static int port(URI url) {
        return url.getPort() > 0 ? url.getPort() : 80;
    }

    private static final String USAGE = "usage: HttpOfferedLoad --sale ID [--url http://127.0.0.1:8080]"
            + " [--token-env SECKILL_SERVICE_TOKEN] [--connections N] [--rates R1,R2,...] [--seconds S] [--drain S]"
            + " [--target NAME] [--label NAME] [--csv FILE] [--timeline FILE] [--id-prefix P]"
            + " [--warm-sale ID --warm-rate R --warm-seconds S]";

    public static void main(String[] args) throws Exception {
        CommandLine options = new CommandLine(args, USAGE, "--url", "--sale", "--token-env", "--connections",
                "--rates", "--seconds", "--drain", "--target", "--label", "--csv", "--timeline", "--id-prefix",
                "--warm-sale", "--warm-rate", "--warm-seconds");
        URI url = URI.create(options.get("--url", "http://127.0.0.1:8080"));
        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
            options.fail("--url takes http://host[:port] (no TLS here)");
        }
        String sale = options.get("--sale", "");
        if (!sale.matches("[A-Za-z0-9._~-]+")) {
            options.fail("--sale takes a sale id (letters, digits, . _ ~ -)");
        }
        String tokenEnv = options.get("--token-env", "SECKILL_SERVICE_TOKEN");
        String token = System.getenv(tokenEnv);
        if (token == null || token.isBlank()) {
            options.fail("set " + tokenEnv + " to the service token (not on the command line: it shows in ps)");
        }
        int connectionCount = options.integer("--connections", 200);
        if (connectionCount <= 0) {
            options.fail("--connections takes a positive number");
        }
        double seconds = options.decimal("--seconds", 10);
        double drain = options.decimal("--drain", 10);
        String target = options.get("--target", "service");
        String label = options.get("--label", "purchase");
        String csv = options.get("--csv", "");
        String timelineCsv = options.get("--timeline", "");
        String idPrefix = options.get("--id-prefix",
                "hl-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16) + "-");
        long[] rates = options.numbers("--rates", "1000");

        String warmSale = options.get("--warm-sale", "");
        if (!warmSale.isEmpty() && !warmSale.matches("[A-Za-z0-9._~-]+")) {
            options.fail("--warm-sale takes a sale id (letters, digits, . _ ~ -)");
        }
        int warmRate = options.integer("--warm-rate", 5000);
        double warmSeconds = options.decimal("--warm-seconds", 10);
        if (!warmSale.isEmpty() && (warmRate <= 0 || warmSeconds <= 0)) {
            options.fail("--warm-rate and --warm-seconds take positive numbers");
        }

        InetSocketAddress address = new InetSocketAddress(url.getHost(), port(url));
        if (!warmSale.isEmpty()) {
            // this JVM's own JIT warms up on a throwaway sale first: otherwise the first second of
            // the first step measures the generator's interpreter, not the server
            try (HttpOfferedLoad warm = connect(address, connectionCount, purchase(url, warmSale, token, idPrefix + "w-"))) {
                Step step = warm.run(warmRate, warmSeconds, drain);
                System.out.printf(Locale.ROOT, "# the generator warmed up: %d requests at %d/s on sale %s, p99 %.1f ms%n",
                        step.requests(), warmRate, warmSale, step.latencies().getValueAtPercentile(99) / 1e6);
            }
            Thread.sleep(1000);
        }
        RequestTemplate template = purchase(url, sale, token, idPrefix);
        PrintStream out = System.out;
        out.println(CSV_HEADER);
        long created = 0;
        long maybeHeld = 0;
        try (HttpOfferedLoad load = connect(address, connectionCount, template)) {
            for (long rate : rates) {
                Step step = load.run(rate, seconds, drain);
                created += step.created();
                maybeHeld += step.sentUnanswered() + step.statuses()[AnswerReader.CLOSED];
                String row = step.csv(target, label, connectionCount);
                out.println(row);
                if (!csv.isEmpty()) {
                    CommandLine.appendRow(Path.of(csv), CSV_HEADER, row);
                }
                if (!timelineCsv.isEmpty()) {
                    step.timeline().append(Path.of(timelineCsv), label, rate);
                }
                if (!step.keptUp()) {
                    out.printf(Locale.ROOT, "# %s could not keep up with %d/s: stopping here%n", target, rate);
                    break;
                }
                Thread.sleep(1000); // let the server settle between steps
            }
            // for the oversell check: the units held are the 201s, plus at most the requests sent
            // whose answer never came (still on their way when the generator gave up, or cut off)
            out.printf(Locale.ROOT, "# totals created_201=%d sent_unanswered=%d reopened_connections=%d%n", created,
                    maybeHeld, load.reopened());
        }
    }
}
