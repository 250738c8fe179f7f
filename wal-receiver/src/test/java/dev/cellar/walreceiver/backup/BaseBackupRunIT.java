package dev.cellar.walreceiver.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestChecksums;
import dev.cellar.core.backup.ManifestFile;
import dev.cellar.storage.backup.BackupFiles;
import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.BackupListing;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole base backups into a local repository against real servers: full (two databases and a
 * tablespace), from a standby, incremental chains on 17+, and the incremental fallbacks.
 */
class BaseBackupRunIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    static List<Integer> majors() {
        return PgMajors.selected();
    }

    static List<Integer> incrementalMajors() {
        return PgMajors.selected().stream().filter(m -> m >= 17).toList();
    }

    private static Repository newRepository() {
        return new Repository(LocalStore.open(TestRoot.newDirectory("repo")));
    }

    static BackupRequest request(PgServer server, BackupFrom from, Optional<BackupInfo> parent, boolean fallback) {
        return new BackupRequest("c1", BaseBackupExchangeIT.settings(server), from, BaseBackupOptions.full("test backup"),
                Codec.parse("zstd:1"), BackupWriterSettings.defaults().withChunkSize(1 << 20), parent, fallback);
    }

    static BackupOutcome backup(Repository repository, PgServer server, UnaryOperator<BackupRequest> change) {
        return new BaseBackupRun(repository, change.apply(request(server, BackupFrom.ANY, Optional.empty(), true)),
                Clock.systemUTC()).execute();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void aFullBackupOfTwoDatabasesAndATablespaceMatchesTheServersManifest(int major) throws IOException {
        PgServer server = PG.start(major);
        PG.createTablespace(server, "extra");
        server.execute("CREATE DATABASE app", "CREATE DATABASE reports");
        server.executeIn("app", "CREATE TABLE orders (id int PRIMARY KEY, note text)",
                "INSERT INTO orders SELECT i, md5(i::text) FROM generate_series(1, 20000) i");
        server.executeIn("reports", "CREATE TABLE daily (day date, total numeric) TABLESPACE extra",
                "INSERT INTO daily SELECT current_date - i, i * 1.5 FROM generate_series(1, 5000) i");
        Repository repository = newRepository();

        BackupInfo info = backup(repository, server, r -> r).backup();

        assertThat(info.kind()).isEqualTo(BackupInfo.Kind.FULL);
        assertThat(info.id()).matches("\\d{8}T\\d{6}Z-F");
        assertThat(info.backupFrom()).isEqualTo(BackupInfo.Source.PRIMARY);
        assertThat(info.serverVersionNum() / 10000).isEqualTo(major);
        assertThat(info.databases()).extracting(BackupInfo.Database::name).contains("postgres", "app", "reports");
        assertThat(info.tablespaces()).singleElement().satisfies(t -> assertThat(t.name()).isEqualTo("extra"));
        assertThat(info.checkpointLsn()).isNotNull();
        assertThat(info.endLsn()).isGreaterThan(info.startLsn());
        assertThat(info.storedSize()).isLessThan(info.logicalSize());
        assertThat(repository.backups("c1")).singleElement().isInstanceOf(BackupListing.Complete.class);

        // Unpacked by an independent path, every file is what PostgreSQL says it sent.
        Path restored = TestRoot.newDirectory("unpacked");
        BackupFiles files = BackupFiles.open(repository, info);
        files.extractArchive("base", restored);
        for (String archive : files.archives()) {
            if (!archive.equals("base")) {
                files.extractArchive(archive, restored.resolve("pg_tblspc").resolve(archive));
            }
        }
        BackupManifest manifest;
        try (InputStream in = repository.openBackupObject(info.manifest())) {
            manifest = BackupManifest.parse(in.readAllBytes(), "stored manifest");
        }
        assertThat(manifest.files()).hasSizeGreaterThan(900);
        for (ManifestFile file : manifest.files()) {
            Path onDisk = restored.resolve(file.path());
            assertThat(onDisk).as(file.path()).isRegularFile();
            byte[] bytes = Files.readAllBytes(onDisk);
            assertThat(bytes.length).as(file.path()).isEqualTo(file.size());
            assertThat(file.algorithm()).as(file.path()).isEqualTo(ChecksumAlgorithm.CRC32C);
            assertThat(ManifestChecksums.hex(file.algorithm(), bytes)).as(file.path()).isEqualTo(file.checksumHex());
        }
        assertThat(files.checksumAlgorithm()).isEqualTo(ChecksumAlgorithm.CRC32C);
        assertThat(Files.readString(restored.resolve("tablespace_map"))).contains(String.valueOf(info.tablespaces().getFirst().oid()));
        assertThat(restored.resolve("pg_wal")).isDirectory();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void serverCompressedArchivesAreStoredAsTheSameFiles(int major) throws IOException {
        PgServer server = PG.start(major);
        PG.createTablespace(server, "extra");
        server.execute("CREATE TABLE moved (id int) TABLESPACE extra", "INSERT INTO moved SELECT generate_series(1, 10000)");
        Repository repository = newRepository();
        for (ServerCompression.Algorithm algorithm : ServerCompression.Algorithm.values()) {
            ServerCompression compression = new ServerCompression(algorithm, algorithm == ServerCompression.Algorithm.ZSTD
                    ? "level=1,workers=2" : "1");
            BackupInfo info;
            try {
                info = backup(repository, server, r -> new BackupRequest(r.cluster(), r.connection(), r.from(),
                        r.options().withServerCompression(Optional.of(compression))
                                .withManifestChecksums(ChecksumAlgorithm.SHA256), r.codec(), r.writer(), r.parent(),
                        r.fallbackToFull())).backup();
            } catch (CellarException e) {
                // The bundled servers are built with zlib only; a build without the algorithm says so.
                assertThat(algorithm).isNotEqualTo(ServerCompression.Algorithm.GZIP);
                assertThat(e).hasMessageContaining("this build does not support compression with");
                assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("server_compression"));
                continue;
            }
            // The run compared every file with the manifest; the files read back as sent.
            BackupFiles files = BackupFiles.open(repository, info);
            assertThat(files.archives()).as(algorithm.name()).hasSize(2);
            assertThat(files.checksumAlgorithm()).isEqualTo(ChecksumAlgorithm.SHA256);
            try (InputStream label = files.openFile(files.find("base", "backup_label").orElseThrow())) {
                assertThat(new String(label.readAllBytes())).as(algorithm.name()).contains("LABEL: test backup");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aCancelledBackupLeavesNothingAndTheNextOneRuns() throws Exception {
        PgServer server = PG.start(PgMajors.selected().getFirst());
        Repository repository = newRepository();
        BackupRequest throttled = new BackupRequest("c1", BaseBackupExchangeIT.settings(server), BackupFrom.ANY,
                BaseBackupOptions.full("cancelled").withMaxRate(java.util.OptionalInt.of(1024)), Codec.parse("zstd:1"),
                BackupWriterSettings.defaults().withChunkSize(128 * 1024), Optional.empty(), true);
        BaseBackupRun run = new BaseBackupRun(repository, throttled, Clock.systemUTC());
        java.util.concurrent.CompletableFuture<BackupOutcome> outcome =
                java.util.concurrent.CompletableFuture.supplyAsync(run::execute);
        org.awaitility.Awaitility.await("chunks stored").atMost(java.time.Duration.ofSeconds(60))
                .until(() -> run.progress().bytesStored() > 0);
        assertThat(run.progress().phase()).isEqualTo(BackupProgress.Phase.STREAMING);
        assertThat(run.progress().bytesEstimated()).isPresent();

        run.cancel();

        assertThatThrownBy(outcome::join).hasCauseInstanceOf(CellarException.class)
                .hasMessageContaining("backup of cluster c1 was cancelled");
        org.awaitility.Awaitility.await("objects deleted").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> repository.backups("c1").isEmpty());
        assertThat(backup(repository, server, r -> r).backup().kind()).isEqualTo(BackupInfo.Kind.FULL);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void aBackupFromAStandbySaysSo(int major) {
        PgServer primary = PG.start(major);
        primary.execute("CREATE TABLE t AS SELECT generate_series(1, 1000) AS id");
        PgServer standby = PG.standbyOf(primary);
        Repository repository = newRepository();

        BackupInfo info = new BaseBackupRun(repository, request(standby, BackupFrom.STANDBY, Optional.empty(), true),
                Clock.systemUTC()).execute().backup();

        assertThat(info.backupFrom()).isEqualTo(BackupInfo.Source.STANDBY);
        assertThat(info.endLsn()).isGreaterThanOrEqualTo(info.startLsn());
        // backup_from: standby refuses a primary.
        assertThatThrownBy(() -> new BaseBackupRun(repository, request(primary, BackupFrom.STANDBY, Optional.empty(), true),
                Clock.systemUTC()).execute()).isInstanceOf(CellarException.class)
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.CONNECTION_FAILED));
        assertThat(repository.backups("c1")).hasSize(1);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("incrementalMajors")
    void aChainOfThreeIncrementalsStoresOnlyWhatChanged(int major) {
        PgServer server = PG.start(major); // the kit turns summarize_wal on for 17+
        // ~40 MB of incompressible rows, so that sizes measure what was sent, not what compressed.
        server.execute("CREATE TABLE big (id int PRIMARY KEY, payload text)",
                "INSERT INTO big SELECT i, md5(random()::text) || md5(random()::text) || md5(random()::text)"
                        + " FROM generate_series(1, 300000) i",
                // Hint bits set by the first scan after a bulk load are WAL-logged as full pages (data
                // checksums are on) and so count as changed blocks: settle them before the full backup.
                "VACUUM FREEZE big");
        server.checkpoint();
        Repository repository = newRepository();
        BackupInfo full = backup(repository, server, r -> r).backup();

        BackupInfo parent = full;
        for (int round = 1; round <= 3; round++) {
            // 1% of the table's blocks: a contiguous range of rows, new versions as long as the old
            // (shorter ones would land in the few bytes left free on thousands of pages).
            server.execute("UPDATE big SET payload = reverse(payload) WHERE id BETWEEN " + round * 50000 + " AND "
                    + (round * 50000 + 3000));
            server.checkpoint();
            BackupInfo previous = parent;
            BackupOutcome outcome = backup(repository, server, r -> request(server, BackupFrom.ANY, Optional.of(previous), false));
            BackupInfo incremental = outcome.backup();
            assertThat(incremental.kind()).isEqualTo(BackupInfo.Kind.INCREMENTAL);
            assertThat(incremental.parent()).isEqualTo(previous.id());
            assertThat(incremental.id()).matches("\\d{8}T\\d{6}Z-I\\d*");
            assertThat(incremental.storedSize()).as("round " + round).isLessThan(full.storedSize() / 10);
            parent = incremental;
        }
        List<BackupInfo> complete = repository.backups("c1").stream()
                .map(l -> ((BackupListing.Complete) l).info()).toList();
        assertThat(complete).hasSize(4);
        assertThat(complete.stream().filter(b -> b.parent() != null).map(BackupInfo::parent))
                .containsExactlyInAnyOrderElementsOf(complete.stream().filter(b -> !b.id().equals(parent_id(complete)))
                        .map(BackupInfo::id).toList());
    }

    /** The newest backup: the one no other backup names as its parent. */
    private static String parent_id(List<BackupInfo> chain) {
        return chain.stream().map(BackupInfo::id)
                .filter(id -> chain.stream().noneMatch(b -> id.equals(b.parent()))).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("incrementalMajors")
    void anIncrementalTheServerRefusesFallsBackOrFailsAsConfigured(int major) {
        // The parent is taken before summarize_wal is turned on: Cellar's own checks pass, but the
        // server has no summaries from the parent's start and refuses the incremental backup.
        PgServer server = PG.start(major, conf -> conf.add("summarize_wal = off"));
        Repository repository = newRepository();
        BackupInfo full = backup(repository, server, r -> r).backup();
        // The summarizer starts at the newest checkpoint's redo point: move it past the parent's start.
        server.execute("CREATE TABLE before_summaries AS SELECT 1 AS id");
        server.checkpoint();
        server.execute("ALTER SYSTEM SET summarize_wal = on", "SELECT pg_reload_conf()");
        server.execute("CREATE TABLE t AS SELECT generate_series(1, 100) AS id");

        assertThatThrownBy(() -> backup(repository, server, r -> request(server, BackupFrom.ANY, Optional.of(full), false)))
                .isInstanceOf(CellarException.class).hasMessageContaining("WAL summaries are required");
        BackupOutcome fallback = backup(repository, server, r -> request(server, BackupFrom.ANY, Optional.of(full), true));
        assertThat(fallback.backup().kind()).isEqualTo(BackupInfo.Kind.FULL);
        assertThat(fallback.notes()).singleElement().asString()
                .startsWith("took a full backup instead of an incremental one: the server refused it: ")
                .contains("WAL summaries are required");
        // Nothing of the refused attempts stayed behind.
        assertThat(repository.backups("c1")).hasSize(2).allMatch(l -> l instanceof BackupListing.Complete);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void withoutWalSummariesAnIncrementalFallsBackOrFailsAsConfigured(int major) {
        PgServer server = PG.start(major, conf -> {
            if (major >= 17) {
                conf.add("summarize_wal = off");
            }
        });
        Repository repository = newRepository();
        BackupInfo full = backup(repository, server, r -> r).backup();

        BackupOutcome fallback = backup(repository, server, r -> request(server, BackupFrom.ANY, Optional.of(full), true));
        assertThat(fallback.backup().kind()).isEqualTo(BackupInfo.Kind.FULL);
        assertThat(fallback.notes()).singleElement().asString().startsWith("took a full backup instead of an incremental one: ")
                .contains(major >= 17 ? "summarize_wal is off" : "incremental backups need 17 or later");

        assertThatThrownBy(() -> backup(repository, server, r -> request(server, BackupFrom.ANY, Optional.of(full), false)))
                .isInstanceOf(CellarException.class)
                .hasMessageStartingWith("incremental backup of cluster c1 is impossible: ")
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.BACKUP_FAILED));
        assertThat(repository.backups("c1")).hasSize(2).allMatch(l -> l instanceof BackupListing.Complete);
    }

}
