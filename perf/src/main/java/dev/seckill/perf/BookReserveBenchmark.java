package dev.seckill.perf;

import dev.seckill.store.inventory.BookSettings;
import dev.seckill.store.inventory.InventoryBook;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The single writer's own cost: reservations applied to the book on one core, no log, no network.
 * Target (DESIGN.md): at least 10 million reservations per second.
 *
 * <p>Each invocation reserves {@value #BATCH} units with fresh request ids on a fresh book, as a
 * flash sale does: {@code hotSkus} SKUs share the load, every reservation is remembered (request
 * id, change feed row). The baseline is the least any design must pay: one HashMap put per
 * request id.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class BookReserveBenchmark {
    static final int BATCH = 100_000;

    @Param({"1", "1000"})
    int hotSkus;

    @Param({"0", "60000"})
    long ttlMs;

    private String[] requestIds;
    private String[] skus;
    private InventoryBook book;
    private Map<String, Object> baseline;

    @Setup(Level.Trial)
    public void ids() {
        requestIds = new String[BATCH];
        for (int i = 0; i < BATCH; i++) {
            requestIds[i] = "order-" + (1_000_000_000L + i);
        }
        skus = new String[hotSkus];
        for (int i = 0; i < hotSkus; i++) {
            skus[i] = "sku-" + i;
        }
    }

    @Setup(Level.Invocation)
    public void freshBook() {
        book = new InventoryBook(BookSettings.defaults());
        book.advanceTo(1_800_000_000_000L);
        for (String sku : skus) {
            book.create(sku, Long.MAX_VALUE / 4);
        }
        baseline = new HashMap<>();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void reserve(Blackhole bh) {
        String[] ids = requestIds;
        int n = skus.length;
        for (int i = 0; i < BATCH; i++) {
            bh.consume(book.reserve(skus[i % n], 1, ids[i], null, -1, ttlMs));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void reserveWithUserLimit(Blackhole bh) {
        String[] ids = requestIds;
        int n = skus.length;
        for (int i = 0; i < BATCH; i++) {
            bh.consume(book.reserve(skus[i % n], 1, ids[i], ids[i], 2, ttlMs));
        }
    }

    /** JDK baseline: only remembering each request id. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baselineHashMapPut(Blackhole bh) {
        String[] ids = requestIds;
        for (int i = 0; i < BATCH; i++) {
            bh.consume(baseline.put(ids[i], ids));
        }
    }
}
