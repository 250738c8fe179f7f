package dev.cellar.testkit;

import dev.cellar.restore.postgres.FreePort;
import dev.cellar.restore.postgres.PostgresInstallation;
import dev.cellar.restore.postgres.PostgresServer;
import dev.cellar.restore.postgres.ServerUser;
import dev.cellar.restore.postgres.ShutdownMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * A restored data directory started as a new cluster with a plain {@code pg_ctl start}, as the
 * server user, and waited on until recovery has ended (the server accepts writes).
 */
public final class RestoredServer implements AutoCloseable {
    private static final Duration RECOVERY = Duration.ofSeconds(90);
    private final PostgresServer server;

    private RestoredServer(PostgresServer server) {
        this.server = server;
    }

    /** Starts {@code data} with the programs of {@code source}'s major. */
    public static RestoredServer start(PgServer source, Path data) {
        return start(source.process().installation(), data);
    }

    public static RestoredServer start(PostgresInstallation installation, Path data) {
        ServerUser user = ServerUser.forThisProcess();
        user.own(data.getParent());
        user.ownRecursively(data);
        PostgresServer server = PostgresServer.forDataDirectory(installation, user, data, FreePort.onLoopback());
        server.start();
        RestoredServer restored = new RestoredServer(server);
        try {
            Awaitility.await("recovery of " + data + " finished").atMost(RECOVERY)
                    .until(() -> restored.queryLong("SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END") == 0);
        } catch (RuntimeException e) {
            restored.close();
            throw e;
        }
        return restored;
    }

    public int port() {
        return server.port();
    }

    public Connection connect() throws SQLException {
        return connect("postgres");
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + database,
                TestCredentials.SUPERUSER, "");
    }

    public long queryLong(String sql) throws SQLException {
        return queryLong("postgres", sql);
    }

    public long queryLong(String database, String sql) throws SQLException {
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public void execute(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Override
    public void close() {
        server.stop(ShutdownMode.FAST);
    }
}
