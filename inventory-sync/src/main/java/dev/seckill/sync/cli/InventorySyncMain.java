package dev.seckill.sync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar inventory-sync.jar sync|reconcile|load ...}. Exit codes: 0 done (reconcile:
 * consistent), 1 reconcile found drift it did not repair, 2 bad input or a part not reachable
 * (one line on stderr, no stack trace).
 */
@Command(name = "inventory-sync", mixinStandardHelpOptions = true, version = "inventory-sync 0.1.0",
        description = "Write-behind of the counter-store's change feed to the RDS, reconciliation, stock warm-up.",
        subcommands = {SyncCommand.class, ReconcileCommand.class, LoadCommand.class})
public final class InventorySyncMain implements Runnable {
    static final int BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new InventorySyncMain());
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("inventory-sync: " + Connections.firstLine(ex.getMessage()) + " (see --help)");
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((ex, c, parsed) -> {
            String msg = ex instanceof Connections.CliError ? ex.getMessage() : describe(ex);
            System.err.println("inventory-sync: " + msg);
            if (Boolean.getBoolean("inventory.sync.debug")) {
                ex.printStackTrace(); // -Dinventory.sync.debug=true: the whole story, for bug reports
            }
            return BAD_INPUT;
        });
        return cli.execute(args);
    }

    private static String describe(Throwable ex) {
        Throwable t = ex;
        while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
            t = t.getCause();
        }
        String what = t instanceof io.lettuce.core.RedisConnectionException ? "cannot reach the store: " : "";
        return what + Connections.firstLine(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is needed: sync, reconcile or load");
    }
}
