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

/**
 * The reader thread: waits on all connections at once and records each answer's latency, from its
 * request's intended send time, the moment the answer's last byte is read (a blocking select, so
 * no polling delay is added to a latency).
 */
public final class AnswerReader implements Runnable, AutoCloseable {
    private final Selector selector;
    private final Recorder latencies = new Recorder(3);
    // written by the reader thread only
    private volatile long answers;
    private volatile long errors;
    private volatile long answersInWindow;
    private volatile long windowEndNanos = Long.MAX_VALUE;
    private volatile Throwable failure;

    public AnswerReader(List<LoadConnection> connections) throws IOException {
        this.selector = Selector.open();
        for (LoadConnection c : connections) {
            c.channel.register(selector, SelectionKey.OP_READ, c);
        }
    }

    /** Answers read at or before {@code nanos} count toward {@link #answersInWindow()}. */
    public void windowEndsAt(long nanos) {
        windowEndNanos = nanos;
    }

    public long answers() {
        return answers;
    }

    public long errors() {
        return errors;
    }

    public long answersInWindow() {
        return answersInWindow;
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
                    read((LoadConnection) key.attachment());
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
        if (c.channel.read(in) < 0) {
            throw new UncheckedIOException(new IOException("the server closed a connection"));
        }
        long now = System.nanoTime();
        in.flip();
        int kind;
        long done = 0;
        long failed = 0;
        while ((kind = ReplyFraming.next(in)) != ReplyFraming.INCOMPLETE) {
            latencies.recordValue(Math.max(0, c.inFlight.answered(now)));
            done++;
            if (kind == ReplyFraming.ERROR) {
                failed++;
            }
        }
        in.compact();
        answers += done;
        errors += failed;
        if (now <= windowEndNanos) {
            answersInWindow += done;
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
