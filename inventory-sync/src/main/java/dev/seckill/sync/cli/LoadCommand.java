package dev.seckill.sync.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.sync.feed.StoreClient;
import dev.seckill.sync.load.StockLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Warm-up (create or restock store SKUs to the RDS totals), or {@code --all}: rebuild an empty store. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Create or restock the store's SKUs from sku_inventory (idempotent); --all rebuilds an empty store.")
final class LoadCommand implements Callable<Integer> {
    @Mixin
    Connections connections;

    @Option(names = "--sku", paramLabel = "SKU", description = "only this SKU (repeatable)")
    List<String> skus = new ArrayList<>();

    @Option(names = "--all", description = "rebuild an empty store from the RDS after losing it (SKUs, pending reservations, sold units)")
    boolean all;

    @Override
    public Integer call() throws Exception {
        if (all && !skus.isEmpty()) {
            throw new Connections.CliError("--all rebuilds every SKU; it does not take --sku");
        }
        connections.storeNodes();
        try (HikariDataSource ds = connections.dataSource(); StoreClient store = StoreClient.connect(connections.store)) {
            StockLoader loader = new StockLoader(store, ds, connections.shard);
            StockLoader.LoadReport report;
            try {
                report = all ? loader.rebuild() : loader.warmUp(skus);
            } catch (IllegalStateException e) {
                throw new Connections.CliError(e.getMessage());
            }
            for (Map.Entry<String, String> e : report.skus().entrySet()) {
                System.out.println(e.getKey() + ": " + e.getValue());
            }
            System.out.printf("%d SKUs changed, %d skipped, %d reservations restored%n",
                    report.changed(), report.skipped(), report.reservationsRestored());
            return report.skipped() == 0 ? 0 : 1;
        }
    }
}
