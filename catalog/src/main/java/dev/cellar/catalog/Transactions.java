package dev.cellar.catalog;

import dev.cellar.catalog.SqliteConnections.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs catalog work in short transactions, one connection each: reads in a deferred transaction
 * (a consistent snapshot that never blocks a writer), writes in {@code BEGIN IMMEDIATE} (the write
 * lock taken up front, waiting up to the busy timeout for another process).
 *
 * <p>A transaction ends through {@link Connection#setAutoCommit(boolean) setAutoCommit(true)},
 * which commits it as JDBC specifies; sqlite-jdbc's {@code commit()} would immediately begin the
 * next transaction and so take the write lock a second time. On any failure the connection is
 * closed instead of reused, and closing it rolls back what it had begun.
 *
 * <p>SQL failures become {@link dev.cellar.core.ErrorCode#CATALOG_FAILED} naming the catalog file
 * and the operation; other exceptions thrown by the work (such as a conflict it detected) pass
 * through unchanged. Thread-safe.
 */
final class Transactions {
    private final Path file;
    private final SqliteConnections connections;

    Transactions(Path file, SqliteConnections connections) {
        this.file = file;
        this.connections = connections;
    }

    /** The catalog file, for messages. */
    Path file() {
        return file;
    }

    /** Runs {@code work} in a read-only snapshot; {@code operation} names it in errors ("listing backups"). */
    <T> T read(String operation, SqlWork<T> work) {
        return run(Kind.READ, operation, work);
    }

    /** Runs {@code work} holding the write lock; all or nothing. */
    <T> T write(String operation, SqlWork<T> work) {
        return run(Kind.WRITE, operation, work);
    }

    private <T> T run(Kind kind, String operation, SqlWork<T> work) {
        Connection connection;
        try {
            connection = connections.acquire(kind);
        } catch (IllegalStateException closed) {
            throw CatalogErrors.failure(file, operation + " failed: the catalog is closed", null);
        } catch (SQLException e) {
            throw CatalogErrors.fromSql(file, operation, e);
        }
        boolean healthy = false;
        try {
            connection.setAutoCommit(false);
            T result = work.run(connection);
            connection.setAutoCommit(true);
            healthy = true;
            return result;
        } catch (SQLException e) {
            throw CatalogErrors.fromSql(file, operation, e);
        } finally {
            connections.release(kind, connection, healthy);
        }
    }
}
