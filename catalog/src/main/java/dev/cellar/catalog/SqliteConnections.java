package dev.cellar.catalog;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens SQLite connections to one catalog file, each configured the same way, and keeps a few idle
 * ones for reuse. Not a pool in the usual sense: there is no limit on open connections, no
 * validation and no background thread; a connection is either handed out or idle.
 *
 * <p>Every connection gets, through {@link SQLiteConfig}: {@code journal_mode=WAL} (readers and one
 * writer proceed at once, also across processes), {@code synchronous=FULL} (a committed
 * transaction survives a power loss), {@code foreign_keys=ON} (off by default in SQLite) and
 * {@code busy_timeout} of {@value #BUSY_TIMEOUT_MILLIS} ms (wait for another process's lock
 * instead of failing at once). Write connections start their transactions with
 * {@code BEGIN IMMEDIATE}, taking the write lock up front: a deferred transaction that reads and
 * then writes can fail with SQLITE_BUSY at once, without waiting, when another process committed
 * in between.
 *
 * <p>Keeping idle connections also keeps the {@code -wal} file: SQLite checkpoints and deletes it
 * when the last connection to the database closes, which would otherwise happen after most operations.
 *
 * <p>Thread-safe.
 */
final class SqliteConnections implements AutoCloseable {
    static final int BUSY_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_IDLE_PER_KIND = 4;

    /** What a connection is for; decides how its transactions begin. */
    enum Kind {
        READ(SQLiteConfig.TransactionMode.DEFERRED),
        WRITE(SQLiteConfig.TransactionMode.IMMEDIATE);

        private final SQLiteConfig.TransactionMode transactionMode;

        Kind(SQLiteConfig.TransactionMode transactionMode) {
            this.transactionMode = transactionMode;
        }
    }

    private final SQLiteDataSource readSource;
    private final SQLiteDataSource writeSource;
    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<Connection> idleReaders = new ArrayDeque<>();
    private final Deque<Connection> idleWriters = new ArrayDeque<>();
    private boolean closed;

    SqliteConnections(Path file) {
        this.readSource = dataSource(file, Kind.READ);
        this.writeSource = dataSource(file, Kind.WRITE);
    }

    private static SQLiteDataSource dataSource(Path file, Kind kind) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.enforceForeignKeys(true);
        config.setTransactionMode(kind.transactionMode);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file);
        return source;
    }

    /** Connections for schema migrations: configured as write connections, never reused. */
    DataSource migrationSource() {
        return writeSource;
    }

    /**
     * An idle connection of {@code kind}, or a new one; in auto-commit mode. Give it back with
     * {@link #release}.
     *
     * @throws IllegalStateException if closed
     */
    Connection acquire(Kind kind) throws SQLException {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            Connection idle = idle(kind).pollFirst();
            if (idle != null) {
                return idle;
            }
        } finally {
            lock.unlock();
        }
        return (kind == Kind.READ ? readSource : writeSource).getConnection();
    }

    /**
     * Takes back a connection from {@link #acquire}: keeps it if it is healthy (auto-commit, so no
     * transaction is left open) and there is room, else closes it.
     */
    void release(Kind kind, Connection connection, boolean healthy) {
        if (healthy) {
            lock.lock();
            try {
                if (!closed && idle(kind).size() < MAX_IDLE_PER_KIND) {
                    idle(kind).addFirst(connection);
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
        closeQuietly(connection);
    }

    private Deque<Connection> idle(Kind kind) {
        return kind == Kind.READ ? idleReaders : idleWriters;
    }

    /** Closes the idle connections; connections handed out are closed when released. Idempotent. */
    @Override
    public void close() {
        List<Connection> toClose = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            toClose.addAll(idleReaders);
            toClose.addAll(idleWriters);
            idleReaders.clear();
            idleWriters.clear();
        } finally {
            lock.unlock();
        }
        toClose.forEach(SqliteConnections::closeQuietly);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // Nothing is lost: every transaction on it has ended, and SQLite releases its locks
            // when the handle goes away.
        }
    }
}
