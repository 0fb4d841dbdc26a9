package dev.seckill.perf;

import dev.seckill.perf.openloop.AnswerReader;
import dev.seckill.perf.openloop.ArrivalSchedule;
import dev.seckill.perf.openloop.LoadConnection;
import dev.seckill.perf.openloop.RequestTemplate;
import dev.seckill.perf.openloop.RespCommandTemplate;
import dev.seckill.perf.openloop.RespFraming;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load generator for any RESP server: requests arrive at a fixed rate, whether or
 * not earlier ones were answered (as buyers do; unlike redis-benchmark, which sends the next
 * request when an answer comes back and so slows down with the server). Each latency runs from
 * the request's intended send time ({@link ArrivalSchedule}), so a stalled server or a late
 * sender shows up in the percentiles instead of vanishing from them (no coordinated omission).
 *
 * <p>It steps through the offered rates, each for {@code --seconds}, and appends one CSV row per
 * step: target, command, connections, offered and achieved rate, p50/p90/p99/p99.9/max in ms,
 * errors (error replies and requests left unanswered). It stops after the first step the server
 * could not keep up with (achieved below 90% of offered, or answers still missing
 * {@code --drain} seconds after the step). Two threads: a sender that sleeps until the next
 * request is due, and a reader blocked on all connections at once.
 *
 * <pre>java -cp perf/target/benchmarks.jar dev.seckill.perf.OfferedLoad --port 6480 --target store \
 *     --rates 10000,25000,50000 [--connections 50] [--seconds 10] [--csv FILE] -- INV.RESERVE stock 1 __id__</pre>
 *
 * {@code __id__} in the command becomes a fresh id in each request.
 */
public final class OfferedLoad implements AutoCloseable {
    static final String CSV_HEADER =
            "target,command,connections,offered_rps,achieved_rps,requests,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,errors";
    private static final int MAX_IN_FLIGHT = 4096;

    private final List<LoadConnection> connections;
    private final AnswerReader reader;
    private final RequestTemplate template;
    private long nextId;

    private OfferedLoad(List<LoadConnection> connections, AnswerReader reader, RequestTemplate template) {
        this.connections = connections;
        this.reader = reader;
        this.template = template;
    }

    /** Opens {@code count} connections to {@code address} and starts the reader thread. */
    static OfferedLoad connect(InetSocketAddress address, int count, RequestTemplate template) throws IOException {
        List<LoadConnection> connections = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                connections.add(new LoadConnection(address, MAX_IN_FLIGHT, template.maxBytes()));
            }
            AnswerReader reader = new AnswerReader(connections);
            Thread readerThread = new Thread(reader, "answer-reader");
            readerThread.setDaemon(true);
            readerThread.start();
            return new OfferedLoad(connections, reader, template);
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

    /** What one step at one offered rate gave. */
    record Step(long offered, double achieved, long requests, Histogram latencies, long errors, boolean keptUp) {
        String csv(String target, String command, int connections) {
            return String.format(Locale.ROOT, "%s,%s,%d,%d,%.0f,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%d", target, command,
                    connections, offered, achieved, requests, ms(latencies.getValueAtPercentile(50)),
                    ms(latencies.getValueAtPercentile(90)), ms(latencies.getValueAtPercentile(99)),
                    ms(latencies.getValueAtPercentile(99.9)), ms(latencies.getMaxValue()), errors);
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    /**
     * Offers {@code rate} requests/s for {@code seconds}, then waits up to {@code drainSeconds} for
     * the answers still owed.
     */
    Step run(long rate, double seconds, double drainSeconds) throws IOException {
        reader.takeLatencies(); // forget what an earlier step left
        long answersBefore = reader.answers();
        long errorsBefore = reader.answersOf(RespFraming.ERROR);
        long windowBefore = reader.answersInWindow();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        long end = start + (long) (seconds * 1e9);
        long giveUp = end + (long) (drainSeconds * 1e9);
        ArrivalSchedule schedule = new ArrivalSchedule(start, rate);
        long total = schedule.dueBy(end - 1);
        reader.windowEndsAt(end);
        int n = connections.size();
        long k = 0;
        boolean flushed = true;
        while (k < total || !flushed) {
            if (reader.failure() != null) {
                throw new IOException("the reader stopped", reader.failure());
            }
            long now = System.nanoTime();
            if (now > giveUp) {
                break;
            }
            long due = Math.min(schedule.dueBy(now), total);
            boolean blocked = false;
            while (k < due) {
                LoadConnection c = connections.get((int) (k % n));
                if (!c.canTake()) {
                    blocked = true; // the server is behind: this request waits, its intended time stays
                    break;
                }
                c.noteIntended(schedule.intendedNanos(k));
                template.write(c.out(), nextId++);
                k++;
            }
            flushed = true;
            for (LoadConnection c : connections) {
                flushed &= c.flush();
            }
            long wait = k < total && !blocked ? schedule.intendedNanos(k) - System.nanoTime() : 0;
            LockSupport.parkNanos(blocked || !flushed ? 50_000 : Math.max(wait, 0));
        }
        long sent = k;
        while (reader.answers() - answersBefore < sent && System.nanoTime() < giveUp && reader.failure() == null) {
            LockSupport.parkNanos(1_000_000);
        }
        long answered = reader.answers() - answersBefore;
        long unanswered = total - answered;
        double achieved = (reader.answersInWindow() - windowBefore) / seconds;
        boolean keptUp = unanswered == 0 && achieved >= 0.9 * rate;
        return new Step(rate, achieved, total, reader.takeLatencies(), reader.answersOf(RespFraming.ERROR) - errorsBefore + unanswered, keptUp);
    }

    private static final String USAGE = "usage: OfferedLoad [--host H] [--port P] [--connections N] [--rates R1,R2,...]"
            + " [--seconds S] [--drain S] [--target NAME] [--label NAME] [--csv FILE] [--id-prefix P]"
            + " -- COMMAND ARGS... (__id__: a fresh id)";

    public static void main(String[] args) throws Exception {
        int dash = Arrays.asList(args).indexOf("--");
        if (dash < 0 || dash == args.length - 1) {
            System.err.println("give the command after --");
            System.err.println(USAGE);
            System.exit(2);
        }
        CommandLine options = new CommandLine(Arrays.copyOfRange(args, 0, dash), USAGE, "--host", "--port",
                "--connections", "--seconds", "--drain", "--target", "--label", "--csv", "--id-prefix", "--rates");
        List<String> command = List.of(Arrays.copyOfRange(args, dash + 1, args.length));
        String host = options.get("--host", "127.0.0.1");
        int port = options.integer("--port", 6380);
        int connectionCount = options.integer("--connections", 50);
        double seconds = options.decimal("--seconds", 10);
        double drain = options.decimal("--drain", 10);
        String target = options.get("--target", host + ":" + port);
        String label = options.get("--label", command.get(0).toUpperCase(Locale.ROOT));
        String csv = options.get("--csv", "");
        String idPrefix = options.get("--id-prefix",
                "ol-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16) + "-");
        long[] rates = options.numbers("--rates", "10000");

        RequestTemplate template = new RespCommandTemplate(command, idPrefix);
        PrintStream out = System.out;
        out.println(CSV_HEADER);
        try (OfferedLoad load = connect(new InetSocketAddress(host, port), connectionCount, template)) {
            for (long rate : rates) {
                Step step = load.run(rate, seconds, drain);
                String row = step.csv(target, label, connectionCount);
                out.println(row);
                if (!csv.isEmpty()) {
                    CommandLine.appendRow(Path.of(csv), CSV_HEADER, row);
                }
                if (!step.keptUp()) {
                    out.printf(Locale.ROOT, "# %s could not keep up with %d/s: stopping here%n", target, rate);
                    break;
                }
                Thread.sleep(1000); // let the server settle between steps
            }
        }
    }
}
