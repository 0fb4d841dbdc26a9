package dev.seckill.sync.rds;

import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** The rds-schema migrations, applied or checked from the sync's side. */
public final class RdsSchema {
    private RdsSchema() {
    }

    /** Applies rds-schema's Flyway migrations ({@code classpath:db/migration}) to {@code ds}. */
    public static void migrate(DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    }

    /**
     * Fails with {@link SchemaMissingException} unless the tables the sync writes exist, so a sync
     * pointed at the wrong database says so at once instead of retrying forever.
     */
    public static void check(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String table : new String[] {"sku_inventory", "reservation", "reservation_multi_line", "sync_checkpoint", "reconciliation_run"}) {
                try {
                    s.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
                } catch (SQLException e) {
                    throw new SchemaMissingException("the database has no table " + table
                            + ": apply rds-schema's migrations first (inventory-sync --migrate)");
                }
            }
        } catch (SQLException e) {
            throw new DatabaseUnavailableException("cannot reach the database: " + e.getMessage(), e);
        }
    }

    /** The database answers but lacks the tables. */
    public static final class SchemaMissingException extends RuntimeException {
        public SchemaMissingException(String message) {
            super(message);
        }
    }

    /** The database does not answer (wrong URL, down, wrong credentials). */
    public static final class DatabaseUnavailableException extends RuntimeException {
        public DatabaseUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
