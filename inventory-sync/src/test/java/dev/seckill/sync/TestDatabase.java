package dev.seckill.sync;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.seckill.sync.rds.RdsSchema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A throwaway database of its own: on the shared MariaDB ({@code sync_test_<random>}, dropped on
 * close) or an in-memory H2 in MySQL mode. Migrated with rds-schema unless asked not to.
 */
public final class TestDatabase implements AutoCloseable {
    /** The two databases every RDS test runs on. */
    public enum Kind { MARIADB, H2 }

    static final String MARIADB_HOST = System.getProperty("sync.test.mariadb.host", "127.0.0.1");
    static final int MARIADB_PORT = Integer.getInteger("sync.test.mariadb.port", 3306);

    private final Kind kind;
    private final String name;
    private final String url;
    private final HikariDataSource dataSource;

    private TestDatabase(Kind kind, boolean migrate) throws SQLException {
        this.kind = kind;
        this.name = "sync_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        if (kind == Kind.MARIADB) {
            try (Connection c = DriverManager.getConnection(serverUrl(MARIADB_PORT), "root", "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            url = urlVia(MARIADB_PORT);
        } else {
            url = "jdbc:h2:mem:" + name + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        }
        this.dataSource = pool(url, 2000);
        if (migrate) {
            RdsSchema.migrate(dataSource);
        }
    }

    public static TestDatabase create(Kind kind) throws SQLException {
        return new TestDatabase(kind, true);
    }

    public static TestDatabase empty(Kind kind) throws SQLException {
        return new TestDatabase(kind, false);
    }

    static String serverUrl(int port) {
        return "jdbc:mariadb://" + MARIADB_HOST + ":" + port + "/";
    }

    /** This database's URL through another port (a proxy in front of the MariaDB server). */
    public String urlVia(int port) {
        return serverUrl(port) + name;
    }

    public static HikariDataSource pool(String url, long connectionTimeoutMs) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(url.startsWith("jdbc:h2") ? "sa" : "root");
        cfg.setPassword("");
        cfg.setMaximumPoolSize(4);
        cfg.setConnectionTimeout(Math.max(250, connectionTimeoutMs));
        cfg.setInitializationFailTimeout(-1);
        return new HikariDataSource(cfg);
    }

    public Kind kind() {
        return kind;
    }

    public String url() {
        return url;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() throws SQLException {
        dataSource.close();
        if (kind == Kind.MARIADB) {
            try (Connection c = DriverManager.getConnection(serverUrl(MARIADB_PORT), "root", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name);
            }
        }
    }
}
