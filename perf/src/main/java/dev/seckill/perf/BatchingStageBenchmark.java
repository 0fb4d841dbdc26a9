package dev.seckill.perf;

import dev.seckill.store.command.Command;
import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.pipeline.Batch;
import dev.seckill.store.pipeline.CommandPipeline;
import dev.seckill.store.pipeline.LogAppender;
import dev.seckill.store.pipeline.ReplySlot;
import dev.seckill.store.protocol.Reply;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The write path's batching stage alone: {@value #COMMANDS} pipelined {@code INCR}s published
 * into the ring (as an I/O thread does), packed into entries by the batching stage and handed to a
 * log that answers each entry at once (no Raft, no fsync). What it measures is the per-command
 * cost of publishing, batching and encoding; a change to the stage shows here long before it shows
 * through sockets and the log.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 8, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class BatchingStageBenchmark {
    static final int COMMANDS = 16_384;

    private final AtomicInteger answered = new AtomicInteger();
    private final ReplySlot.ReplyTarget target = answered::incrementAndGet;
    private CommandPipeline pipeline;
    private byte[][] args;
    private Command command;

    @Setup(Level.Trial)
    public void start() throws CommandException {
        LogAppender log = (byte[] entry, Batch batch) -> {
            Reply ok = Reply.integer(entry.length);
            for (int i = 0; i < batch.size(); i++) {
                batch.answer(i, ok);
            }
            return CompletableFuture.completedFuture(null);
        };
        pipeline = new CommandPipeline(log, System::currentTimeMillis, CommandPipeline.Settings.defaults());
        args = new byte[][] {"INCR".getBytes(StandardCharsets.US_ASCII), "counter:page-views".getBytes(StandardCharsets.US_ASCII)};
        command = new CommandParser().parse(args);
    }

    @TearDown(Level.Trial)
    public void stop() {
        pipeline.close();
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public int publishAndBatch() {
        answered.set(0);
        for (int i = 0; i < COMMANDS; i++) {
            pipeline.submit(command, args, new ReplySlot(target));
        }
        while (answered.get() < COMMANDS) {
            Thread.onSpinWait();
        }
        return answered.get();
    }
}
