package dev.cellar.testkit;

import dev.cellar.core.Lsn;
import dev.cellar.restore.postgres.PostgresServer;
import dev.cellar.restore.postgres.ShutdownMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * A real PostgreSQL server started by the test kit, with SQL helpers for tests. Every call opens a
 * short-lived connection as the superuser; tests that need a session keep one from
 * {@link #connect()}. Obtain instances from {@link PostgresKit}.
 */
public final class PgServer {
    private final int major;
    private final String name;
    private final PostgresServer server;

    PgServer(int major, String name, PostgresServer server) {
        this.major = major;
        this.name = Objects.requireNonNull(name);
        this.server = Objects.requireNonNull(server);
    }

    public int major() {
        return major;
    }

    /** A short name unique in this JVM, also the server's {@code cluster_name}. */
    public String name() {
        return name;
    }

    public String host() {
        return server.host();
    }

    public int port() {
        return server.port();
    }

    public Path dataDirectory() {
        return server.dataDirectory();
    }

    /** The underlying server process handle. */
    public PostgresServer process() {
        return server;
    }

    /** libpq keyword/value connection string for this server (without user or password). */
    public String conninfo() {
        return "host=" + host() + " port=" + port();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** A new connection to {@code postgres} as the superuser (trust). The caller closes it. */
    public Connection connect() {
        return connect("postgres");
    }

    public Connection connect(String database) {
        return connectAs(database, TestCredentials.SUPERUSER, "");
    }

    public Connection connectAs(String database, String user, String password) {
        try {
            return DriverManager.getConnection(jdbcUrl(database), user, password);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + this + " as " + user + ": " + e.getMessage(), e);
        }
    }

    /** Runs statements in database {@code postgres}, each in its own transaction. */
    public void execute(String... statements) {
        executeIn("postgres", statements);
    }

    public void executeIn(String database, String... statements) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on " + this + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the first row, as text (null for SQL NULL). */
    /** The server's own clock ({@code clock_timestamp()}), to the microsecond: what commit times are compared with. */
    public java.time.Instant clockTimestamp() {
        return java.time.Instant.parse(queryString(
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
    }

    public String queryString(String sql) {
        return queryStringIn("postgres", sql);
    }

    public String queryStringIn(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from " + sql);
            }
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("query failed on " + this + ": " + e.getMessage(), e);
        }
    }

    public long queryLong(String sql) {
        return Long.parseLong(queryString(sql));
    }

    /** {@code pg_current_wal_lsn()} on a primary, {@code pg_last_wal_replay_lsn()} on a standby. */
    public Lsn currentLsn() {
        return Lsn.parse(queryString(
                "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END"));
    }

    /** The timeline the server writes (primary) or replays (standby) now. */
    public long timeline() {
        String hexTli = queryString("SELECT CASE WHEN pg_is_in_recovery() "
                + "THEN (SELECT received_tli::text FROM pg_stat_wal_receiver) "
                + "ELSE substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) END");
        return hexTli.length() == 8 ? Long.parseLong(hexTli, 16) : Long.parseLong(hexTli);
    }

    public boolean isInRecovery() {
        return "t".equals(queryString("SELECT pg_is_in_recovery()"));
    }

    /** Forces a switch to a new WAL segment; returns the LSN of the switch record's end. */
    public Lsn switchWal() {
        return Lsn.parse(queryString("SELECT pg_switch_wal()"));
    }

    public void checkpoint() {
        execute("CHECKPOINT");
    }

    public void start() {
        server.start();
    }

    public void stop() {
        server.stop(ShutdownMode.FAST);
    }

    public void stopImmediately() {
        server.stop(ShutdownMode.IMMEDIATE);
    }

    /** SIGKILL of the postmaster, as a crash of the host would look to clients. */
    public void kill9() {
        server.kill();
    }

    /** Promotes this standby ({@code pg_ctl promote}, waiting until it accepts writes). */
    public void promote() {
        server.promote();
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    @Override
    public String toString() {
        return name + " (PostgreSQL " + major + " on " + host() + ":" + port() + ")";
    }
}
