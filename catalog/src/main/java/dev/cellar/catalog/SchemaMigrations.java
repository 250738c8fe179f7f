package dev.cellar.catalog;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a catalog file's schema to the newest version with Flyway, from the SQL scripts in
 * {@value #LOCATION} ({@code V1__initial.sql}, …). Migrating an up-to-date file changes nothing.
 *
 * <p>Flyway's SQLite support has no lock of its own, so two processes opening a new catalog at the
 * same moment (the server and a CLI command) would both try to create the tables. Migrations are
 * therefore serialised: within this JVM by a lock, across processes by an exclusive lock on
 * {@code <file>.lock} (never on the database file itself: closing any descriptor of a file drops
 * every POSIX lock the process holds on it, SQLite's included). The lock file is left in place.
 *
 * <p>A catalog migrated by a newer Cellar (a version this build does not know) is refused rather
 * than used, because its tables may mean something this code does not expect. Thread-safe.
 */
final class SchemaMigrations {
    static final String LOCATION = "classpath:dev/cellar/catalog/migration";
    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrations.class);
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    private SchemaMigrations() {
    }

    /**
     * Migrates the catalog at {@code file} through connections from {@code dataSource}.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the lock or a migration fails,
     *                         or the catalog was written by a newer Cellar
     */
    static void migrate(Path file, DataSource dataSource) {
        Flyway flyway = Flyway.configure(SchemaMigrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .load();
        Path lockFile = CatalogFiles.migrationLockFile(file);
        IN_PROCESS.lock();
        try {
            CatalogFiles.createIfMissing(lockFile);
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    refuseNewerSchema(file, flyway);
                    MigrateResult result = flyway.migrate();
                    if (result.migrationsExecuted > 0) {
                        LOG.info("catalog {}: schema migrated from version {} to {}", file,
                                result.initialSchemaVersion == null ? "none" : result.initialSchemaVersion,
                                result.targetSchemaVersion);
                    }
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw CatalogErrors.failure(file, "cannot lock %s for the schema migration: %s".formatted(lockFile, e),
                    "check that the directory of %s is writable by the user running Cellar".formatted(file));
        } catch (FlywayException e) {
            throw new CellarException(ErrorCode.CATALOG_FAILED,
                    "catalog %s: migrating the schema failed: %s".formatted(file, e.getMessage()),
                    "the file may not be a Cellar catalog or may be damaged; move it aside and rebuild the catalog "
                            + "from the repository",
                    e);
        } finally {
            IN_PROCESS.unlock();
        }
    }

    private static void refuseNewerSchema(Path file, Flyway flyway) {
        List<String> unknown = Arrays.stream(flyway.info().applied())
                .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                .map(MigrationInfo::getVersion)
                .map(String::valueOf)
                .toList();
        if (!unknown.isEmpty()) {
            throw CatalogErrors.failure(file,
                    "the schema has version(s) %s, newer than this Cellar knows".formatted(String.join(", ", unknown)),
                    "a newer Cellar wrote this catalog; use that version, or move the file aside and rebuild the "
                            + "catalog from the repository");
        }
    }
}
