package dev.cellar.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class CatalogErrorsTest {
    private static final Path FILE = Path.of("/var/lib/cellar/catalog.db");

    private static CellarException fromSql(SQLiteErrorCode code) {
        return CatalogErrors.fromSql(FILE, "recording backup b1", new SQLiteException(code.message, code));
    }

    @Test
    void lockHeldTooLongNamesTheFileTheOperationAndWhatToDo() {
        CellarException e = fromSql(SQLiteErrorCode.SQLITE_BUSY);

        assertThat(e.code()).isEqualTo(ErrorCode.CATALOG_FAILED);
        assertThat(e.getMessage()).isEqualTo("catalog /var/lib/cellar/catalog.db: recording backup b1 failed: "
                + "The database file is locked");
        assertThat(e.hint()).contains("another process (the Cellar server or a backupctl command) kept "
                + "/var/lib/cellar/catalog.db locked for longer than 10 s; retry, and look for a process that hangs "
                + "while using the catalog");
    }

    @Test
    void extendedResultCodesGetTheirPrimaryCodesHint() {
        assertThat(fromSql(SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT).hint()).hasValueSatisfying(
                h -> assertThat(h).startsWith("another process"));
        assertThat(fromSql(SQLiteErrorCode.SQLITE_IOERR_FSYNC).hint()).hasValueSatisfying(
                h -> assertThat(h).contains("I/O error"));
    }

    @Test
    void readOnlyFullAndCorruptFilesHaveHints() {
        assertThat(fromSql(SQLiteErrorCode.SQLITE_READONLY).hint()).hasValueSatisfying(
                h -> assertThat(h).contains("readable and writable"));
        assertThat(fromSql(SQLiteErrorCode.SQLITE_FULL).hint()).hasValueSatisfying(
                h -> assertThat(h).contains("is full"));
        assertThat(fromSql(SQLiteErrorCode.SQLITE_NOTADB).hint()).hasValueSatisfying(
                h -> assertThat(h).contains("rebuild the catalog from the repository"));
    }

    @Test
    void otherFailuresHaveNoHint() {
        CellarException e = CatalogErrors.fromSql(FILE, "reading", new SQLException("boom"));

        assertThat(e.getMessage()).isEqualTo("catalog /var/lib/cellar/catalog.db: reading failed: boom");
        assertThat(e.hint()).isEmpty();
    }
}
