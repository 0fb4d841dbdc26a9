package dev.seckill.perf.openloop;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * The reader thread: waits on all connections at once and records each answer's latency, from its
 * request's intended send time, the moment the answer's last byte is read (a blocking select, so
 * no polling delay is added to a latency), and counts answers by kind (RESP: answer or error;
 * HTTP: status code).
 *
 * <p>For HTTP (one request in flight per connection) it hands each answered connection back to
 * the sender through {@code whenIdle}; a connection the server closes after an answer is reopened
 * first (without blocking: it goes back once connected). A connection closed with a request in
 * flight counts that request as {@link #CLOSED} and is reopened too; one closed while idle, or
 * any closed connection with RESP pipelining, stops the reader (its requests are lost uncounted).
 */
public final class AnswerReader implements Runnable, AutoCloseable {
    /** The kind counted for a request whose connection the server closed before answering. */
    public static final int CLOSED = 0;
    /** Kinds are counted below this: HTTP status codes, RESP's answer/error. */
    public static final int KINDS = 600;

    private final Selector selector;
    private final AnswerFraming framing;
    private final Consumer<LoadConnection> whenIdle;
    private final Recorder latencies = new Recorder(3);
    private final AtomicLongArray byKind = new AtomicLongArray(KINDS);
    // written by the reader thread only
    private volatile long answers;
    private volatile long answersInWindow;
    private volatile long reopened;
    private volatile long windowEndNanos = Long.MAX_VALUE;
    private volatile Throwable failure;
    private volatile Timeline timeline;

    /** Pipelined RESP: no connection is handed back, none reopened. */
    public AnswerReader(List<LoadConnection> connections) throws IOException {
        this(connections, RespFraming.RESP, null);
    }

    /**
     * @param whenIdle called (on the reader thread) with each connection whose answer was read and
     *                 which may take the next request; null when the sender pipelines instead
     */
    public AnswerReader(List<LoadConnection> connections, AnswerFraming framing, Consumer<LoadConnection> whenIdle)
            throws IOException {
        this.selector = Selector.open();
        this.framing = framing;
        this.whenIdle = whenIdle;
        for (LoadConnection c : connections) {
            c.channel.register(selector, SelectionKey.OP_READ, c);
        }
    }

    /** Answers read at or before {@code nanos} count toward {@link #answersInWindow()}. */
    public void windowEndsAt(long nanos) {
        windowEndNanos = nanos;
    }

    /** From now on each answer is also recorded in {@code timeline} (null: none). */
    public void recordInto(Timeline timeline) {
        this.timeline = timeline;
    }

    public long answers() {
        return answers;
    }

    /** Answers of one kind so far (an HTTP status, {@link RespFraming#ERROR}, {@link #CLOSED}). */
    public long answersOf(int kind) {
        return byKind.get(kind);
    }

    public long answersInWindow() {
        return answersInWindow;
    }

    /** Connections reopened after the server closed them. */
    public long reopened() {
        return reopened;
    }

    /** The latencies recorded since the last call (nanoseconds). */
    public Histogram takeLatencies() {
        return latencies.getIntervalHistogram();
    }

    /** Non-null once the reader stopped on a broken connection or unreadable bytes. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            while (selector.isOpen()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    LoadConnection c = (LoadConnection) key.attachment();
                    if (key.isValid() && key.isConnectable()) {
                        c.channel.finishConnect();
                        key.interestOps(SelectionKey.OP_READ);
                        whenIdle.accept(c);
                    } else if (key.isValid() && key.isReadable()) {
                        read(c);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (ClosedSelectorException closed) {
            // close(): the run is over
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
    }

    private void read(LoadConnection c) throws IOException {
        ByteBuffer in = c.in;
        int read = c.channel.read(in);
        long now = System.nanoTime();
        if (read < 0) {
            if (whenIdle == null || c.unanswered() == 0) {
                throw new UncheckedIOException(new IOException("the server closed a connection"));
            }
            c.inFlight.answered(now); // lost, not timed: no answer came
            byKind.getAndIncrement(CLOSED);
            counted(1, now);
            reopen(c);
            return;
        }
        in.flip();
        int kind;
        long done = 0;
        boolean closes = false;
        Timeline t = timeline;
        while (!closes && (kind = framing.next(in)) != AnswerFraming.INCOMPLETE) {
            long latency = Math.max(0, c.inFlight.answered(now));
            latencies.recordValue(latency);
            if (t != null) {
                t.record(now - latency, latency, kind);
            }
            byKind.getAndIncrement(kind);
            done++;
            closes = framing.closesConnection();
        }
        if (in.position() == 0 && in.limit() == in.capacity()) {
            throw new IllegalStateException("an answer larger than " + in.capacity() + " bytes");
        }
        in.compact();
        counted(done, now);
        if (closes) {
            reopen(c);
        } else if (done > 0 && whenIdle != null) {
            whenIdle.accept(c);
        }
    }

    private void counted(long done, long now) {
        answers += done;
        if (now <= windowEndNanos) {
            answersInWindow += done;
        }
    }

    private void reopen(LoadConnection c) throws IOException {
        reopened++;
        if (c.reopen(selector)) {
            whenIdle.accept(c);
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
