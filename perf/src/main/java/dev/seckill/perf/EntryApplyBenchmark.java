package dev.seckill.perf;

import dev.seckill.store.command.CommandException;
import dev.seckill.store.command.CommandParser;
import dev.seckill.store.command.Op;
import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.protocol.Reply;
import dev.seckill.store.replication.LogEntryFormat;
import dev.seckill.store.shard.ShardState;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the apply thread really does per committed entry: read the entry's bytes, parse each
 * command, apply it to the shard. {@value #ENTRIES} entries of {@value #PER_ENTRY} INV.RESERVE
 * commands each (a full batch) per invocation, on a fresh shard.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class EntryApplyBenchmark {
    static final int PER_ENTRY = 4096;
    static final int ENTRIES = 25;

    private byte[][] entries;
    private ShardState shard;

    @Setup(Level.Trial)
    public void entries() throws IOException {
        entries = new byte[ENTRIES][];
        for (int e = 0; e < ENTRIES; e++) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(LogEntryFormat.FORMAT);
            out.writeLong(1_800_000_000_000L);
            out.writeLong(0);
            out.writeLong(0);
            out.writeInt(PER_ENTRY);
            for (int i = 0; i < PER_ENTRY; i++) {
                out.writeByte(Op.INV_RESERVE.ordinal());
                String[] args = {"sku-hot", "1", "order-" + (1_000_000_000L + e * PER_ENTRY + i), "USER",
                        "user-" + i, "LIMIT", "2", "TTL", "900000"};
                out.writeInt(args.length);
                for (String a : args) {
                    byte[] b = a.getBytes(StandardCharsets.ISO_8859_1);
                    out.writeInt(b.length);
                    out.write(b);
                }
            }
            entries[e] = bytes.toByteArray();
        }
    }

    @Setup(Level.Invocation)
    public void freshShard() {
        shard = new ShardState(BookSettings.defaults());
        shard.advanceTo(1_800_000_000_000L);
        shard.book().create("sku-hot", Long.MAX_VALUE / 4);
    }

    @Benchmark
    @OperationsPerInvocation(PER_ENTRY * ENTRIES)
    public void applyEntries(Blackhole bh) {
        Applier applier = new Applier(shard, bh);
        for (byte[] entry : entries) {
            LogEntryFormat.read(entry, applier);
        }
    }

    private static final class Applier implements LogEntryFormat.Visitor {
        private final ShardState shard;
        private final Blackhole bh;
        private final CommandParser parser = new CommandParser();

        Applier(ShardState shard, Blackhole bh) {
            this.shard = shard;
            this.bh = bh;
        }

        @Override
        public void time(long leaderTime) {
            shard.advanceTo(leaderTime);
        }

        @Override
        public void command(int index, Op op, byte[][] args) {
            Reply reply;
            try {
                reply = shard.execute(parser.parse(op, args));
            } catch (CommandException e) {
                throw new IllegalStateException(e);
            }
            bh.consume(reply);
        }
    }
}
