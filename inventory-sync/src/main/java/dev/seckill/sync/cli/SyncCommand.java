package dev.seckill.sync.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.sync.InventorySync;
import dev.seckill.sync.SyncSettings;
import dev.seckill.sync.SyncStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs the sync until stopped (SIGTERM / Ctrl-C), or until caught up with {@code --exit-when-idle}. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Write the store's change feed to the RDS, one transaction per batch, until stopped.")
final class SyncCommand implements Callable<Integer> {
    @Mixin
    Connections connections;

    @Option(names = "--batch-size", defaultValue = "5000", description = "feed rows per transaction (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--idle-poll-ms", defaultValue = "20", description = "pause after a poll that finds the feed empty (default: ${DEFAULT-VALUE})")
    long idlePollMs;

    @Option(names = "--idle-poll-max-ms", defaultValue = "250",
            description = "longest pause between polls of a feed that stays empty; each empty poll doubles the pause up to it (default: ${DEFAULT-VALUE})")
    long idlePollMaxMs;

    @Option(names = "--exit-when-idle", description = "exit 0 once the RDS has everything the store had")
    boolean exitWhenIdle;

    @Option(names = "--verbose", description = "a line per committed batch")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        String nodes = connections.storeNodes();
        SyncSettings settings = SyncSettings.of(connections.store).withShard(connections.shard)
                .withBatchSize(batchSize).withIdlePollMax(Duration.ofMillis(Math.max(idlePollMs, idlePollMaxMs)))
                .withIdlePoll(Duration.ofMillis(idlePollMs));
        try (HikariDataSource ds = connections.dataSource()) {
            InventorySync sync = InventorySync.start(settings, ds, new SimpleMeterRegistry(), r -> {
                if (verbose) {
                    System.out.printf("batch: checkpoint %d -> %d, %d SKU rows, %d reservation rows, %d already applied, %d statements%n",
                            r.previousSeq(), r.appliedSeq(), r.skuRows(), r.reservationRows(), r.skippedRows(), r.statements());
                }
            });
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                sync.close();
                stopped.countDown();
            }, "inventory-sync-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.println("syncing " + nodes + " (shard " + connections.shard + ") to " + connections.jdbcUrl);
            String lastError = null;
            while (!stopped.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                SyncStatus s = sync.status();
                if (s.lastError() != null && !s.lastError().equals(lastError)) {
                    System.err.println("inventory-sync: " + s.state() + ": " + s.lastError());
                }
                lastError = s.lastError();
                if (exitWhenIdle && s.state() == SyncStatus.State.RUNNING && s.storeLastSeq() > 0 && s.lagChanges() == 0) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                    sync.close();
                    System.out.println("caught up at " + s.appliedSeq());
                    return 0;
                }
            }
            return 0;
        }
    }
}
