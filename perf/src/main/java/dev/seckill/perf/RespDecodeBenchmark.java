package dev.seckill.perf;

import dev.seckill.store.protocol.Reply;
import dev.seckill.store.protocol.RespDecoder;
import dev.seckill.store.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The RESP hot path of an I/O thread: decoding a pipelined read of {@value #PIPELINE} commands
 * (what redis-benchmark -P 16 sends), and encoding integer replies. Baseline: copying the same
 * bytes, the least a decoder does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RespDecodeBenchmark {
    static final int PIPELINE = 16;

    private ByteBuf input;
    private EmbeddedChannel channel;
    private ByteBuf output;
    private final Reply integer = Reply.integer(999_999_997L);

    @Setup
    public void setup() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < PIPELINE; i++) {
            String reqId = "order-" + (1_000_000_000L + i);
            s.append("*4\r\n$11\r\nINV.RESERVE\r\n$7\r\nsku-hot\r\n$1\r\n1\r\n$").append(reqId.length())
                    .append("\r\n").append(reqId).append("\r\n");
        }
        input = Unpooled.directBuffer().writeBytes(s.toString().getBytes(StandardCharsets.US_ASCII));
        channel = new EmbeddedChannel(new RespDecoder());
        output = PooledByteBufAllocator.DEFAULT.directBuffer(1 << 16);
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        input.release();
        output.release();
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public void decodePipeline(Blackhole bh) {
        channel.writeInbound(input.retainedDuplicate());
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            bh.consume(msg);
        }
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public void baselineCopyBytes(Blackhole bh) {
        byte[] copy = new byte[input.readableBytes()];
        input.getBytes(input.readerIndex(), copy);
        bh.consume(copy);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public void encodeIntegerReplies(Blackhole bh) {
        output.clear();
        for (int i = 0; i < PIPELINE; i++) {
            RespWriter.write(integer, output, 2);
        }
        bh.consume(output.writerIndex());
    }
}
