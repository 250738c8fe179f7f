package dev.cellar.server.restore;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.Lsn;
import dev.cellar.server.backup.BackupJob;
import dev.cellar.server.backup.CatalogWalRecorder;
import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.testkit.TestRoot;
import dev.cellar.walreceiver.backup.BackupFrom;
import dev.cellar.walreceiver.backup.BaseBackupOptions;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.TargetSessionAttrs;
import dev.cellar.walreceiver.stream.Backoff;
import dev.cellar.walreceiver.stream.WalStream;
import dev.cellar.walreceiver.stream.WalStreamSettings;
import dev.cellar.walreceiver.stream.WalStreamSupervisor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.awaitility.Awaitility;

/**
 * The classic drill's history, on a real server with Cellar streaming its WAL: 1000 rows, a full
 * backup, 1000 more rows, a restore point {@code before_delete}, the marks (LSN, time), a delete of
 * rows 1–500 by transaction {@link #deletingXid}, one more row (5000), a WAL switch, and the WAL
 * archived past it. The repository is {@code root/repo}; the catalog lives outside it
 * ({@code root/catalog.db}), so a repository-only command finds none.
 */
final class RestoreDrill implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(90);

    final PgServer server;
    final Path root;
    final Repository repository;
    final Catalog catalog;
    final BackupRow backup;
    final Instant beforeBackup;
    final Lsn mark;
    final Instant markTime;
    final long deletingXid;
    private final WalStreamSupervisor supervisor;

    private RestoreDrill(PgServer server, Path root, Repository repository, Catalog catalog,
                         WalStreamSupervisor supervisor, BackupRow backup, Instant beforeBackup, Lsn mark,
                         Instant markTime, long deletingXid) {
        this.server = server;
        this.root = root;
        this.repository = repository;
        this.catalog = catalog;
        this.supervisor = supervisor;
        this.backup = backup;
        this.beforeBackup = beforeBackup;
        this.mark = mark;
        this.markTime = markTime;
        this.deletingXid = deletingXid;
    }

    static RestoreDrill run(PostgresKit kit, int major) throws Exception {
        PgServer server = kit.start(major, conf -> conf.add("autovacuum = off"));
        server.execute("CREATE TABLE drill (id int PRIMARY KEY, v text)",
                "INSERT INTO drill SELECT i, 'before backup' FROM generate_series(1, 1000) i",
                "CREATE DATABASE reports");
        server.executeIn("reports", "CREATE TABLE daily (day int PRIMARY KEY, total bigint)",
                "INSERT INTO daily SELECT i, i * 10 FROM generate_series(1, 5000) i");
        Path root = TestRoot.newDirectory("pitr");
        Repository repository = new Repository(LocalStore.open(Files.createDirectories(root.resolve("repo"))));
        ReplicationConnectionSettings connection = ReplicationConnectionSettings.builder(TestCredentials.SCRAM_USER)
                .password(() -> Optional.of(TestCredentials.SCRAM_PASSWORD.toCharArray()))
                .connectTimeout(Duration.ofSeconds(5)).targetSessionAttrs(TargetSessionAttrs.ANY)
                .endpoint(server.host(), server.port()).build();
        Catalog catalog = Catalog.open(root.resolve("catalog.db"));
        WalStreamSupervisor supervisor = new WalStreamSupervisor(
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1)), Clock.systemUTC());
        try {
            supervisor.start(new WalStream(WalStreamSettings.of("c1", connection, "cellar_c1", false,
                    root.resolve("spool"), Codec.parse("zstd:1")), repository, new CatalogWalRecorder(catalog, repository),
                    Clock.systemUTC()));
            Instant beforeBackup = Instant.now();
            BackupRow backup = ((BackupJob.Result.Taken) new BackupJob(repository, catalog, Clock.systemUTC())
                    .run(new BackupJob.Request("c1", connection, BackupFrom.ANY, BaseBackupOptions.full("drill"),
                            Codec.parse("zstd:1"), BackupWriterSettings.defaults().withChunkSize(1 << 20), false, false,
                            false), run -> { })).backup();
            Awaitility.await("backup restorable").atMost(WAIT)
                    .until(() -> catalog.backups().get(backup.id()).status() == BackupStatus.COMPLETE);

            server.execute("INSERT INTO drill SELECT i, 'after backup' FROM generate_series(1001, 2000) i");
            server.queryString("SELECT pg_create_restore_point('before_delete')::text");
            Lsn mark = Lsn.parse(server.queryString("SELECT pg_current_wal_insert_lsn()::text"));
            Instant markTime = server.clockTimestamp();
            long deletingXid;
            try (Connection sql = server.connect(); Statement statement = sql.createStatement()) {
                sql.setAutoCommit(false);
                try (ResultSet rs = statement.executeQuery("SELECT txid_current()")) {
                    rs.next();
                    deletingXid = rs.getLong(1);
                }
                statement.executeUpdate("DELETE FROM drill WHERE id <= 500");
                sql.commit();
            }
            server.execute("INSERT INTO drill VALUES (5000, 'after the delete')");
            Lsn end = server.switchWal();
            Awaitility.await("WAL archived past the drill").atMost(WAIT).until(() -> catalog.wal().list("c1").stream()
                    .map(WalSegmentRow::end).anyMatch(e -> e.compareTo(end) >= 0));
            return new RestoreDrill(server, root, repository, catalog, supervisor, backup, beforeBackup, mark,
                    markTime, deletingXid);
        } catch (Exception | Error e) {
            supervisor.close();
            catalog.close();
            throw e;
        }
    }

    @Override
    public void close() {
        supervisor.close();
        catalog.close();
    }
}
