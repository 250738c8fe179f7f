package dev.cellar.catalog;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.file.Path;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Turns SQLite failures into {@link ErrorCode#CATALOG_FAILED} errors that name the catalog file and
 * the operation, with a hint for the causes an operator can fix. Stateless.
 */
final class CatalogErrors {
    private CatalogErrors() {
    }

    /** {@code catalog <file>: <message>}. */
    static CellarException failure(Path catalog, String message, String hint) {
        return new CellarException(ErrorCode.CATALOG_FAILED, "catalog %s: %s".formatted(catalog, message), hint);
    }

    /** {@code catalog <file>: <operation> failed: <SQLite's message>}, with a hint by SQLite result code. */
    static CellarException fromSql(Path catalog, String operation, SQLException e) {
        return new CellarException(ErrorCode.CATALOG_FAILED,
                "catalog %s: %s failed: %s".formatted(catalog, operation, e.getMessage()), hint(catalog, e), e);
    }

    private static String hint(Path catalog, SQLException e) {
        if (!(e instanceof SQLiteException sqlite)) {
            return null;
        }
        // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_FSYNC, …) share their primary code's low byte.
        int primary = sqlite.getResultCode().code & 0xFF;
        if (primary == SQLiteErrorCode.SQLITE_BUSY.code || primary == SQLiteErrorCode.SQLITE_LOCKED.code) {
            return ("another process (the Cellar server or a backupctl command) kept %s locked for longer than "
                    + "%d s; retry, and look for a process that hangs while using the catalog")
                    .formatted(catalog, SqliteConnections.BUSY_TIMEOUT_MILLIS / 1000);
        }
        if (primary == SQLiteErrorCode.SQLITE_READONLY.code || primary == SQLiteErrorCode.SQLITE_PERM.code
                || primary == SQLiteErrorCode.SQLITE_CANTOPEN.code || primary == SQLiteErrorCode.SQLITE_AUTH.code) {
            return ("check that %s and its directory exist and are readable and writable by the user running Cellar "
                    + "(SQLite also creates %s-wal and %s-shm beside it)").formatted(catalog, catalog.getFileName(),
                    catalog.getFileName());
        }
        if (primary == SQLiteErrorCode.SQLITE_FULL.code) {
            return "the file system holding %s is full; free space and retry".formatted(catalog);
        }
        if (primary == SQLiteErrorCode.SQLITE_CORRUPT.code || primary == SQLiteErrorCode.SQLITE_NOTADB.code) {
            return ("%s is not a Cellar catalog or is damaged; move it (and its -wal and -shm files) aside and rebuild "
                    + "the catalog from the repository").formatted(catalog);
        }
        if (primary == SQLiteErrorCode.SQLITE_IOERR.code) {
            return "the file system holding %s reported an I/O error; check the disk and the kernel log".formatted(catalog);
        }
        return null;
    }
}
