package dev.seckill.sync.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.sync.SyncSettings;
import dev.seckill.sync.feed.StoreNodes;
import dev.seckill.sync.rds.RdsSchema;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The options every subcommand shares: where the store and the database are. */
final class Connections {
    @Option(names = "--store", required = true, paramLabel = "URI",
            description = "the store shard: redis://host:port, redis://:password@host:port, or its nodes "
                    + "redis://host1:port1,redis://host2:port2,... (after the first, host:port takes the first's "
                    + "scheme and password); when the node in use fails the next one is used")
    String store;

    @Option(names = "--jdbc-url", required = true, paramLabel = "URL",
            description = "the RDS, e.g. jdbc:mariadb://127.0.0.1:3306/seckill or jdbc:h2:./data/rds;MODE=MySQL;DATABASE_TO_LOWER=TRUE;WRITE_DELAY=0 (H2: WRITE_DELAY=0, or a committed batch may not be on disk when the store is told)")
    String jdbcUrl;

    @Option(names = "--jdbc-user", paramLabel = "USER", defaultValue = "root", description = "default: ${DEFAULT-VALUE}")
    String jdbcUser;

    @Option(names = "--jdbc-password", paramLabel = "PASSWORD", defaultValue = "", description = "default: empty")
    String jdbcPassword;

    @Option(names = "--shard", paramLabel = "NAME", defaultValue = SyncSettings.DEFAULT_SHARD,
            description = "checkpoint name of this store shard (default: ${DEFAULT-VALUE})")
    String shard;

    @Option(names = "--migrate", description = "apply rds-schema's migrations before starting")
    boolean migrate;

    /**
     * The store's nodes as they may be shown (no password), after checking the address list, so
     * a bad {@code --store} is refused before anything else happens (e.g. a migration).
     */
    String storeNodes() {
        try {
            return StoreNodes.describe(StoreNodes.parse(store));
        } catch (IllegalArgumentException e) {
            throw new CliError(e.getMessage());
        }
    }

    /** A pool on the database, after one plain connection proved the URL and credentials; migrated or checked. */
    HikariDataSource dataSource() {
        try (Connection c = DriverManager.getConnection(jdbcUrl, jdbcUser, jdbcPassword)) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new CliError("cannot connect to the database " + jdbcUrl + ": " + firstLine(e.getMessage()));
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(jdbcUrl);
        cfg.setUsername(jdbcUser);
        cfg.setPassword(jdbcPassword);
        cfg.setMaximumPoolSize(4);
        cfg.setConnectionTimeout(5000);
        cfg.setPoolName("inventory-sync");
        HikariDataSource ds = new HikariDataSource(cfg);
        try {
            if (migrate) {
                RdsSchema.migrate(ds);
            }
            RdsSchema.check(ds);
            return ds;
        } catch (RuntimeException e) {
            ds.close();
            throw new CliError(firstLine(e.getMessage()));
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    /** A failure the user can act on: printed as one line, no stack trace. */
    static final class CliError extends RuntimeException {
        CliError(String message) {
            super(message);
        }
    }
}
