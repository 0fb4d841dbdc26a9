package dev.seckill.sync.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.sync.SyncSettings;
import dev.seckill.sync.rds.RdsSchema;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The options every subcommand shares: where the store and the database are. */
final class Connections {
    @Option(names = "--store", required = true, paramLabel = "URI",
            description = "the store shard: redis://host:port or redis://:password@host:port")
    String store;

    @Option(names = "--jdbc-url", required = true, paramLabel = "URL",
            description = "the RDS, e.g. jdbc:mariadb://127.0.0.1:3306/seckill or jdbc:h2:./data/rds;MODE=MySQL;DATABASE_TO_LOWER=TRUE")
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
