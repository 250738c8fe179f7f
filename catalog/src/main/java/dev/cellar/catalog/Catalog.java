package dev.cellar.catalog;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * The embedded catalog: an SQLite index of a repository's clusters, timelines, WAL, backups, jobs
 * and verifications. The repository stays the source of truth; the catalog makes questions about
 * it fast and can be rebuilt from it.
 *
 * <p>{@link #open(Path)} creates the file when missing (directory 0700, file 0600) and migrates its
 * schema; the queries are grouped by subject ({@link #clusters()}, {@link #wal()},
 * {@link #backups()}, …). Times are stored as microseconds since the epoch, UTC.
 *
 * <p>Thread-safe: any number of threads, and other processes (the server and {@code backupctl} at
 * the same time), may use one catalog file. Every operation is one short transaction on its own
 * connection; writes take SQLite's write lock up front and wait up to 10 s for another writer.
 * Operations block for that long at most; after {@link #close()} they fail.
 */
public final class Catalog implements AutoCloseable {
    private final Path file;
    private final SqliteConnections connections;
    private final Transactions transactions;
    private final ClusterQueries clusters;
    private final TimelineQueries timelines;
    private final WalQueries wal;
    private final WalGapQueries walGaps;
    private final BackupQueries backups;
    private final JobQueries jobs;
    private final VerificationQueries verifications;

    private Catalog(Path file, SqliteConnections connections) {
        this.file = file;
        this.connections = connections;
        this.transactions = new Transactions(file, connections);
        this.clusters = new ClusterQueries(transactions);
        this.timelines = new TimelineQueries(transactions);
        this.wal = new WalQueries(transactions);
        this.walGaps = new WalGapQueries(transactions);
        this.backups = new BackupQueries(transactions);
        this.jobs = new JobQueries(transactions);
        this.verifications = new VerificationQueries(transactions);
    }

    /**
     * Opens the catalog at {@code file}, creating it (and its directory) if missing and migrating its
     * schema to this version's. Opening an up-to-date catalog changes nothing.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} naming the file if it cannot be
     *                         created, opened or migrated, is not a catalog, was written by a newer
     *                         Cellar, or lies on a file system where SQLite cannot use WAL mode
     */
    public static Catalog open(Path file) {
        Path absolute = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        try {
            CatalogFiles.prepare(absolute);
        } catch (IOException e) {
            throw CatalogErrors.failure(absolute, "cannot create the catalog file: " + e,
                    "check that the directory of %s is writable by the user running Cellar".formatted(absolute));
        }
        SqliteConnections connections = new SqliteConnections(absolute);
        try {
            SchemaMigrations.migrate(absolute, connections.migrationSource());
            Catalog catalog = new Catalog(absolute, connections);
            catalog.checkWalMode();
            return catalog;
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
    }

    // SQLite silently keeps its rollback journal where WAL mode is impossible (some network file
    // systems); without WAL, the server and the CLI would block each other's reads.
    private void checkWalMode() {
        String mode = transactions.read("checking the journal mode", Catalog::journalMode);
        if (!"wal".equalsIgnoreCase(mode)) {
            throw CatalogErrors.failure(file, "SQLite could not use WAL journal mode (it uses \"%s\")".formatted(mode),
                    "put the catalog on a local file system");
        }
    }

    /** The catalog file, absolute. */
    public Path file() {
        return file;
    }

    /** Clusters and their sizes. */
    public ClusterQueries clusters() {
        return clusters;
    }

    /** Timelines and their branch points. */
    public TimelineQueries timelines() {
        return timelines;
    }

    /** Archived WAL and WAL coverage. */
    public WalQueries wal() {
        return wal;
    }

    /** Recorded WAL gaps. */
    public WalGapQueries walGaps() {
        return walGaps;
    }

    /** Base backups, their chains, and restore candidates. */
    public BackupQueries backups() {
        return backups;
    }

    /** The job history. */
    public JobQueries jobs() {
        return jobs;
    }

    /** The verification history. */
    public VerificationQueries verifications() {
        return verifications;
    }

    /**
     * Writes and commits one row, proving the catalog takes writes right now (for the server's
     * health check).
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} when it does not
     */
    public void heartbeat(java.time.Instant at) {
        transactions.write("writing the heartbeat", connection -> {
            try (java.sql.PreparedStatement upsert = connection.prepareStatement(
                    "INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at")) {
                Columns.setInstant(upsert, 1, java.util.Optional.of(at));
                upsert.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Recreates this catalog's facts from the repository alone (see {@link CatalogRebuild}): meant for
     * an empty catalog file, after the old one was lost. Every WAL segment is read once and
     * verified. Safe to repeat: recording what is already known changes nothing.
     *
     * @param offsite whether {@code repository} is the offsite copy (rows are then marked offsite,
     *                not local)
     */
    public RebuildReport rebuildFrom(dev.cellar.storage.repository.Repository repository, boolean offsite) {
        return new CatalogRebuild(this, repository, offsite).run();
    }

    /** {@link #rebuildFrom(dev.cellar.storage.repository.Repository, boolean)} from the local repository. */
    public RebuildReport rebuildFrom(dev.cellar.storage.repository.Repository repository) {
        return rebuildFrom(repository, false);
    }

    /** Closes the idle connections; operations still running finish normally. Idempotent. */
    @Override
    public void close() {
        connections.close();
    }

    @Override
    public String toString() {
        return "catalog " + file;
    }

    private static String journalMode(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("PRAGMA journal_mode")) {
            return rows.next() ? rows.getString(1) : "unknown";
        }
    }
}
