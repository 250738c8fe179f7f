package dev.cellar.walreceiver.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.walreceiver.connection.Endpoint;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * An ordinary SQL session (pgjdbc) to the server a backup is taken from, for the facts a physical
 * walsender cannot answer: the databases and tablespaces present at backup time, whether the
 * server is in recovery, and its current WAL position. Opened on the very endpoint the
 * replication connection reached, with the same user, password and TLS settings.
 */
public final class SourceSqlSession implements AutoCloseable {
    /** SQLSTATE 3D000: the database does not exist. */
    private static final String INVALID_CATALOG_NAME = "3D000";
    private final Connection connection;
    private final Endpoint endpoint;

    private SourceSqlSession(Connection connection, Endpoint endpoint) {
        this.connection = connection;
        this.endpoint = endpoint;
    }

    /**
     * Connects to database {@code postgres} on {@code endpoint}.
     *
     * @throws CellarException {@link ErrorCode#CONNECTION_FAILED} naming the endpoint and the
     *     server's reason (the replication user needs CONNECT on database postgres)
     */
    public static SourceSqlSession open(ReplicationConnectionSettings settings, Endpoint endpoint) {
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        settings.password().password().ifPresent(p -> {
            properties.setProperty("password", new String(p));
            Arrays.fill(p, '\0');
        });
        properties.setProperty("sslmode", settings.sslMode().keyword());
        settings.rootCertificate().ifPresent(p -> properties.setProperty("sslrootcert", p.toString()));
        settings.clientCertificate().ifPresent(p -> properties.setProperty("sslcert", p.toString()));
        settings.clientKey().ifPresent(p -> properties.setProperty("sslkey", p.toString()));
        properties.setProperty("channelBinding", settings.channelBinding().name().toLowerCase(java.util.Locale.ROOT));
        properties.setProperty("ApplicationName", settings.applicationName().orElse("cellar") + " (backup facts)");
        properties.setProperty("connectTimeout", String.valueOf(Math.max(1, settings.connectTimeout().toSeconds())));
        properties.setProperty("readOnly", "true");
        String host = endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host();
        String base = "jdbc:postgresql://" + host + ":" + endpoint.port() + "/";
        try {
            try {
                return new SourceSqlSession(DriverManager.getConnection(base + "postgres", properties), endpoint);
            } catch (SQLException e) {
                if (!INVALID_CATALOG_NAME.equals(e.getSQLState())) {
                    throw e;
                }
                // Database postgres was dropped: template1 always exists (initdb makes it, and
                // CREATE DATABASE copies it).
                return new SourceSqlSession(DriverManager.getConnection(base + "template1", properties), endpoint);
            }
        } catch (SQLException e) {
            throw new CellarException(ErrorCode.CONNECTION_FAILED, "SQL connection to " + endpoint + " as \""
                    + settings.user() + "\" failed: " + e.getMessage(),
                    "base backups read the database list through an ordinary connection to database postgres (or"
                            + " template1 when postgres is gone): allow the replication user to connect to it in"
                            + " pg_hba.conf", e);
        } finally {
            properties.remove("password");
        }
    }

    /** A database present on the server. */
    public record Database(long oid, String name) {
    }

    /** A tablespace other than pg_default and pg_global. */
    public record Tablespace(long oid, String name, String location) {
    }

    public List<Database> databases() {
        return query("SELECT oid, datname FROM pg_catalog.pg_database ORDER BY oid",
                rs -> new Database(rs.getLong(1), rs.getString(2)));
    }

    public List<Tablespace> tablespaces() {
        return query("SELECT oid, spcname, pg_catalog.pg_tablespace_location(oid) FROM pg_catalog.pg_tablespace"
                        + " WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY oid",
                rs -> new Tablespace(rs.getLong(1), rs.getString(2), rs.getString(3)));
    }

    public boolean isInRecovery() {
        return query("SELECT pg_catalog.pg_is_in_recovery()", rs -> rs.getBoolean(1)).getFirst();
    }

    /**
     * The newest WAL position the server has: the insert position on a primary, the replayed
     * position on a standby (what a backup taken now would start from).
     */
    public Lsn currentWalLsn() {
        return query("SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()"
                + " ELSE pg_catalog.pg_current_wal_insert_lsn() END", rs -> Lsn.parse(rs.getString(1))).getFirst();
    }

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper) {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        } catch (SQLException e) {
            throw new CellarException(ErrorCode.CONNECTION_FAILED, "query on " + endpoint + " failed: " + e.getMessage(),
                    null, e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing a session we only read from; nothing to recover.
        }
    }

}
