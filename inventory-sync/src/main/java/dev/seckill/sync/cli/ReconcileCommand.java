package dev.seckill.sync.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.sync.feed.StoreClient;
import dev.seckill.sync.reconcile.ReconcileOptions;
import dev.seckill.sync.reconcile.Reconciler;
import dev.seckill.sync.reconcile.ReconciliationReport;
import dev.seckill.sync.reconcile.RepairMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Compares store and RDS; exit 0 when consistent (or all drift repaired), 1 when drift is left. */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = "Compare every SKU and reservation between the store and the RDS; exit 0 consistent, 1 drift.")
final class ReconcileCommand implements Callable<Integer> {
    @Mixin
    Connections connections;

    @Option(names = "--sku", paramLabel = "SKU", description = "only this SKU (repeatable)")
    List<String> skus = new ArrayList<>();

    @Option(names = "--repair", paramLabel = "store|rds", description = "rds: rewrite the RDS from the store; store: restock the store from the RDS")
    String repair;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        RepairMode mode = RepairMode.NONE;
        if (repair != null) {
            switch (repair) {
                case "rds" -> mode = RepairMode.RDS;
                case "store" -> mode = RepairMode.STORE;
                default -> throw new Connections.CliError("--repair takes store or rds, not " + repair);
            }
        }
        connections.storeNodes();
        try (HikariDataSource ds = connections.dataSource(); StoreClient store = StoreClient.connect(connections.store)) {
            ReconcileOptions options = new ReconcileOptions(skus, mode, line -> System.err.println("reconcile: " + line));
            ReconciliationReport report = new Reconciler(store, ds, connections.shard).run(options);
            System.out.print(json ? report.toJson() + System.lineSeparator() : report.toTable());
            return report.consistent() ? 0 : 1;
        }
    }
}
