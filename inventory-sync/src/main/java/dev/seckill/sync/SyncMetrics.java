package dev.seckill.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The sync's meters, tagged {@code shard}: lag ({@code inventory.sync.lag.changes},
 * {@code inventory.sync.lag}), batch sizes ({@code inventory.sync.batch.rows}), SQL statements
 * ({@code inventory.sync.statements}: a counter, so a rate gives statements/s), rows written,
 * commits ({@code inventory.sync.batch.commit}), the age of reservation changes when committed
 * ({@code inventory.sync.change.age}) and failures by stage ({@code inventory.sync.failures}).
 */
final class SyncMetrics {
    final DistributionSummary batchRows;
    final Counter statements;
    final Counter skuRows;
    final Counter reservationRows;
    final Counter skippedRows;
    final Timer commit;
    final Timer poll;
    final Timer changeAge;
    final Counter storeFailures;
    final Counter databaseFailures;
    final Counter yielded;

    SyncMetrics(MeterRegistry r, String shard, Supplier<SyncStatus> status) {
        Gauge.builder("inventory.sync.lag.changes", () -> status.get().lagChanges()).tag("shard", shard)
                .description("store sequence numbers not yet in the RDS").register(r);
        Gauge.builder("inventory.sync.lag", () -> status.get().lagMs()).tag("shard", shard).baseUnit("milliseconds")
                .description("age of the oldest change not yet in the RDS").register(r);
        Gauge.builder("inventory.sync.applied.seq", () -> status.get().appliedSeq()).tag("shard", shard).register(r);
        batchRows = DistributionSummary.builder("inventory.sync.batch.rows").tag("shard", shard)
                .description("feed rows per batch").publishPercentiles(0.5, 0.99).register(r);
        statements = Counter.builder("inventory.sync.statements").tag("shard", shard)
                .description("SQL statements run").register(r);
        skuRows = Counter.builder("inventory.sync.rows").tag("shard", shard).tag("kind", "sku").register(r);
        reservationRows = Counter.builder("inventory.sync.rows").tag("shard", shard).tag("kind", "reservation").register(r);
        skippedRows = Counter.builder("inventory.sync.rows.skipped").tag("shard", shard)
                .description("rows a replayed batch already had").register(r);
        poll = Timer.builder("inventory.sync.poll").tag("shard", shard)
                .description("one INV.CHANGES round trip and its decoding").register(r);
        commit = Timer.builder("inventory.sync.batch.commit").tag("shard", shard).publishPercentiles(0.5, 0.99).register(r);
        changeAge = Timer.builder("inventory.sync.change.age").tag("shard", shard)
                .description("store time of a reservation change to its commit in the RDS")
                .publishPercentiles(0.5, 0.99, 0.999).maximumExpectedValue(Duration.ofMinutes(5)).register(r);
        storeFailures = Counter.builder("inventory.sync.failures").tag("shard", shard).tag("stage", "store").register(r);
        databaseFailures = Counter.builder("inventory.sync.failures").tag("shard", shard).tag("stage", "database").register(r);
        yielded = Counter.builder("inventory.sync.yielded").tag("shard", shard).baseUnit("seconds")
                .description("time the sync held its writes back while buyers were being served").register(r);
    }
}
