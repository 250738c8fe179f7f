package dev.cellar.server.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.Lsn;
import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ManifestChecksums;
import dev.cellar.core.backup.ManifestFile;
import dev.cellar.restore.PointInTimeRestore;
import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.export.ExportResult;
import dev.cellar.restore.plan.RecoveryTarget;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.restore.postgres.ServerUser;
import dev.cellar.server.backup.BackupJob;
import dev.cellar.server.backup.CatalogWalRecorder;
import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.RestoredServer;
import dev.cellar.testkit.PgMajors;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restores from a chain of PostgreSQL 17+ incremental backups: a full backup of two databases (one
 * table of about 20 MB, spread over many 1 MiB chunks, and one in a tablespace), then three rounds
 * of changes (updates of a few percent of rows, inserts that extend relations, a vacuum that cuts a
 * relation short, a DROP TABLE, a TRUNCATE, tables created after the full backup, one of them in
 * the tablespace), each followed by an incremental backup. The combined directories match their
 * own manifest file by file, hold no incremental file, and start: every table has the content it
 * had at the target, for the latest and immediate targets (a chain of four) and for a time between
 * the second and third incremental (a chain of three), with the tablespace mapped elsewhere or put
 * back where it was.
 */
class ChainRestoreIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final List<String> DATABASES = List.of("postgres", "app", "reports");

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void aChainOfIncrementalBackupsRestoresToEveryTarget(int major) throws Exception {
        long testStarted = System.nanoTime();
        PgServer server = PG.start(major, conf -> conf.add("autovacuum = off"));
        Path originalTablespace = PG.createTablespace(server, "extra");
        server.execute("CREATE DATABASE app", "CREATE DATABASE reports",
                "CREATE TABLE settings (k text PRIMARY KEY, v text)",
                "INSERT INTO settings SELECT 'k' || i, md5(i::text) FROM generate_series(1, 200) i");
        server.executeIn("app",
                "CREATE TABLE big (id int PRIMARY KEY, payload text)",
                // About 20 MB of heap: many 1 MiB chunks, several per incremental rebuild.
                "INSERT INTO big SELECT i, repeat(md5(i::text), 3) FROM generate_series(1, 160000) i",
                "CREATE TABLE doomed (id int, v text)",
                "INSERT INTO doomed SELECT i, md5(i::text) FROM generate_series(1, 5000) i",
                "CREATE TABLE emptied (id int, v text)",
                "INSERT INTO emptied SELECT i, md5(i::text) FROM generate_series(1, 5000) i",
                "VACUUM FREEZE big");
        server.executeIn("reports",
                "CREATE TABLE daily (day int PRIMARY KEY, total numeric) TABLESPACE extra",
                "INSERT INTO daily SELECT i, i * 1.5 FROM generate_series(1, 20000) i",
                "CREATE TABLE notes (id serial PRIMARY KEY, note text)",
                "INSERT INTO notes (note) SELECT md5(i::text) FROM generate_series(1, 1000) i");

        Path root = TestRoot.newDirectory("chain-restore");
        Repository repository = new Repository(LocalStore.open(Files.createDirectories(root.resolve("repo"))));
        ReplicationConnectionSettings connection = ReplicationConnectionSettings.builder(TestCredentials.SCRAM_USER)
                .password(() -> Optional.of(TestCredentials.SCRAM_PASSWORD.toCharArray()))
                .connectTimeout(Duration.ofSeconds(5)).targetSessionAttrs(TargetSessionAttrs.ANY)
                .endpoint(server.host(), server.port()).build();
        try (Catalog catalog = Catalog.open(root.resolve("catalog.db"));
             WalStreamSupervisor supervisor = new WalStreamSupervisor(
                     new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1)), Clock.systemUTC())) {
            supervisor.start(new WalStream(WalStreamSettings.of("c1", connection, "cellar_c1", false,
                    root.resolve("spool"), Codec.parse("zstd:1")), repository, new CatalogWalRecorder(catalog, repository),
                    Clock.systemUTC()));
            BackupJob jobs = new BackupJob(repository, catalog, Clock.systemUTC());
            BackupRow full = take(jobs, connection, false);
            Awaitility.await("full backup restorable").atMost(WAIT)
                    .until(() -> catalog.backups().get(full.id()).status() == BackupStatus.COMPLETE);

            // Round 1: scattered updates, inserts that extend relations, a table created after the full backup.
            server.executeIn("app",
                    "UPDATE big SET payload = reverse(payload) WHERE id % 40 = 0",
                    "INSERT INTO big SELECT i, repeat(md5(i::text), 3) FROM generate_series(160001, 170000) i",
                    "CREATE TABLE fresh (id int PRIMARY KEY, v text)",
                    "INSERT INTO fresh SELECT i, md5(i::text) FROM generate_series(1, 3000) i");
            server.executeIn("reports", "UPDATE daily SET total = total + 1 WHERE day % 25 = 0");
            server.execute("UPDATE settings SET v = 'round 1' WHERE k = 'k7'");
            BackupRow first = take(jobs, connection, true);

            // Round 2: a DROP TABLE, a TRUNCATE, more rows in the new table and in the tablespace.
            server.executeIn("app",
                    "DROP TABLE doomed",
                    "TRUNCATE emptied",
                    "INSERT INTO emptied VALUES (1, 'after the truncate')",
                    "INSERT INTO fresh SELECT i, md5(i::text) FROM generate_series(3001, 6000) i",
                    "UPDATE big SET payload = 'round 2' WHERE id % 97 = 0");
            server.executeIn("reports",
                    "INSERT INTO daily SELECT i, i * 2.5 FROM generate_series(20001, 30000) i",
                    "DELETE FROM notes WHERE id % 3 = 0");
            BackupRow second = take(jobs, connection, true);
            Map<String, Map<String, String>> atSecond = contents(server);
            Instant betweenSecondAndThird = server.clockTimestamp();
            // Backup IDs and end times have second resolution: let the server's clock pass the mark's second.
            Awaitility.await("a second after the mark").atMost(Duration.ofSeconds(10))
                    .until(() -> server.clockTimestamp().isAfter(betweenSecondAndThird.plusMillis(1100)));

            // Round 3: a vacuum that cuts big short, a new table in the tablespace, more updates.
            server.executeIn("app",
                    "DELETE FROM big WHERE id > 150000",
                    "VACUUM big",
                    "UPDATE big SET payload = 'round 3' WHERE id % 31 = 0",
                    "UPDATE fresh SET v = 'round 3' WHERE id % 10 = 0");
            server.executeIn("reports",
                    "CREATE TABLE late (id int, v text) TABLESPACE extra",
                    "INSERT INTO late SELECT i, md5(i::text) FROM generate_series(1, 4000) i",
                    "UPDATE daily SET total = 0 WHERE day % 100 = 0");
            server.execute("DELETE FROM settings WHERE k = 'k9'");
            BackupRow third = take(jobs, connection, true);
            Map<String, Map<String, String>> atThird = contents(server);
            assertThat(atThird).isNotEqualTo(atSecond);
            assertThat(atThird.get("app")).doesNotContainKey("doomed").containsKey("fresh");

            Lsn end = server.switchWal();
            Awaitility.await("newest backup restorable").atMost(WAIT)
                    .until(() -> catalog.backups().get(third.id()).status() == BackupStatus.COMPLETE);
            Awaitility.await("WAL archived past the last change").atMost(WAIT).until(() -> catalog.wal().list("c1")
                    .stream().map(WalSegmentRow::end).anyMatch(e -> e.compareTo(end) >= 0));
            long prepared = System.nanoTime();
            List<String> timings = new ArrayList<>();

            // A time between the second and the third incremental: the second's chain of three.
            RestorePlan atTime = PointInTimeRestore.plan(repository, catalog, "c1", RestoreTarget.latest()
                    .withTarget(new RecoveryTarget.AtTime(betweenSecondAndThird)), Clock.systemUTC());
            assertThat(atTime.chain()).extracting(BackupRow::id).containsExactly(full.id(), first.id(), second.id());
            restoreAndCompare(server, repository, atTime, root.resolve("restore-time"), true, atSecond, timings);

            // Immediate and latest: the third's chain of four.
            RestorePlan immediate = PointInTimeRestore.plan(repository, catalog, "c1", RestoreTarget.latest()
                    .withTarget(new RecoveryTarget.Immediate()), Clock.systemUTC());
            assertThat(immediate.chain()).extracting(BackupRow::id)
                    .containsExactly(full.id(), first.id(), second.id(), third.id());
            restoreAndCompare(server, repository, immediate, root.resolve("restore-immediate"), true, atThird,
                    timings);

            RestorePlan latest = PointInTimeRestore.plan(repository, catalog, "c1", RestoreTarget.latest(),
                    Clock.systemUTC());
            assertThat(latest.chain()).hasSize(4);
            assertThat(latest.backup().id()).isEqualTo(third.id());
            // The tablespace back where it was: the source server must be gone and its location empty.
            server.stop();
            try (Stream<Path> children = Files.list(originalTablespace)) {
                for (Path child : children.toList()) {
                    dev.cellar.restore.files.FileTrees.deleteRecursively(child);
                }
            }
            ExportResult result = restoreAndCompare(server, repository, latest, root.resolve("restore-latest"), false,
                    atThird, timings);
            assertThat(result.tablespaces()).containsValue(originalTablespace.toAbsolutePath().normalize());
            System.out.printf("ChainRestoreIT PostgreSQL %d: setup and backups %d s, restores %s, total %d s%n",
                    major, Duration.ofNanos(prepared - testStarted).toSeconds(), timings,
                    Duration.ofNanos(System.nanoTime() - testStarted).toSeconds());
        }
    }

    private static ExportResult restoreAndCompare(PgServer source, Repository repository, RestorePlan plan, Path base,
                                                  boolean mapTablespace, Map<String, Map<String, String>> expected,
                                                  List<String> timings) throws Exception {
        Path data = base.resolve("data");
        ExportOptions options = ExportOptions.into(data).withJobs(4);
        if (mapTablespace) {
            options = options.withTablespaceMap(Map.of("extra", base.resolve("extra")));
        }
        long started = System.nanoTime();
        ExportResult result = PointInTimeRestore.export(repository, plan, options, Clock.systemUTC());
        timings.add(plan.target().target().getClass().getSimpleName() + " "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
        assertThat(result.tablespaces()).hasSize(1);
        Path tablespace = result.tablespaces().values().iterator().next();
        if (mapTablespace) {
            assertThat(tablespace).isEqualTo(base.resolve("extra").toAbsolutePath().normalize());
        }
        assertMatchesItsManifest(data, result.tablespaces());
        String label = Files.readString(data.resolve("backup_label"), StandardCharsets.UTF_8);
        assertThat(label).contains("START WAL LOCATION: ").doesNotContain("INCREMENTAL");
        assertThat(Files.readString(data.resolve("tablespace_map"))).contains(tablespace.toString());
        ServerUser.forThisProcess().ownRecursively(tablespace);
        try (RestoredServer restored = RestoredServer.start(source, data)) {
            assertThat(contents(restored)).isEqualTo(expected);
            assertThat(indexedCount(restored, "app", "SELECT count(*) FROM big WHERE id BETWEEN 1 AND 1000000"))
                    .isEqualTo(Long.parseLong(expected.get("app").get("big#count")));
        }
        return result;
    }

    /**
     * Every file the combined manifest lists is on disk with its size and checksum (but for the
     * files the export rewrites), every file on disk is listed (but for what the export adds), and
     * neither incremental files nor staging are left.
     */
    private static void assertMatchesItsManifest(Path data, Map<Long, Path> tablespaces) throws IOException {
        BackupManifest manifest = BackupManifest.parse(Files.readAllBytes(data.resolve("backup_manifest")),
                "restored backup_manifest");
        Set<String> rewritten = Set.of("postgresql.auto.conf", "tablespace_map");
        Set<String> listed = new TreeSet<>();
        for (ManifestFile file : manifest.files()) {
            assertThat(file.path()).doesNotContain("INCREMENTAL.");
            listed.add(file.path());
            if (rewritten.contains(file.path())) {
                continue;
            }
            Path onDisk = onDisk(data, tablespaces, file.path());
            assertThat(onDisk).as(file.path()).isRegularFile();
            assertThat(Files.size(onDisk)).as(file.path()).isEqualTo(file.size());
            assertThat(ManifestChecksums.hex(file.algorithm(), Files.readAllBytes(onDisk))).as(file.path())
                    .isEqualTo(file.checksumHex());
            assertThat(Files.getLastModifiedTime(onDisk).toInstant()).as(file.path()).isEqualTo(file.lastModified());
        }
        Set<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.walk(data)) {
            files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> data.relativize(p).toString()).forEach(present::add);
        }
        for (Map.Entry<Long, Path> tablespace : tablespaces.entrySet()) {
            try (Stream<Path> files = Files.walk(tablespace.getValue())) {
                files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                        .map(p -> "pg_tblspc/" + tablespace.getKey() + "/" + tablespace.getValue().relativize(p))
                        .forEach(present::add);
            }
        }
        present.removeIf(p -> p.startsWith("cellar_wal/") || p.equals("recovery.signal")
                || p.equals("backup_manifest") || rewritten.contains(p));
        listed.removeAll(rewritten);
        assertThat(present).isEqualTo(listed);
        assertThat(data.resolve(".cellar-combine")).doesNotExist();
    }

    private static Path onDisk(Path data, Map<Long, Path> tablespaces, String path) {
        if (path.startsWith("pg_tblspc/")) {
            String[] parts = path.split("/", 3);
            return tablespaces.get(Long.parseLong(parts[1])).resolve(parts[2]);
        }
        return data.resolve(path);
    }

    private static BackupRow take(BackupJob jobs, ReplicationConnectionSettings connection, boolean incremental) {
        BackupJob.Result result = jobs.run(new BackupJob.Request("c1", connection, BackupFrom.ANY,
                BaseBackupOptions.full("chain restore"), Codec.parse("zstd:1"),
                BackupWriterSettings.defaults().withChunkSize(1 << 20), incremental, false, false), run -> { });
        assertThat(result).isInstanceOf(BackupJob.Result.Taken.class);
        return ((BackupJob.Result.Taken) result).backup();
    }

    /** Per database, per table: the md5 of its rows in a fixed order; for big also its row count. */
    private static Map<String, Map<String, String>> contents(PgServer server) throws SQLException {
        Map<String, Map<String, String>> contents = new TreeMap<>();
        for (String database : DATABASES) {
            try (Connection connection = server.connect(database)) {
                contents.put(database, tableContents(connection));
            }
        }
        return contents;
    }

    static Map<String, String> tableContents(Connection connection) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        Map<String, String> contents = new TreeMap<>();
        for (String table : tables) {
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text,"
                         + " ',' ORDER BY t::text)), '') FROM \"" + table + "\" t")) {
                rs.next();
                contents.put(table, rs.getString(1));
                if (table.equals("big")) {
                    contents.put("big#count", rs.getString(1).substring(0, rs.getString(1).indexOf(':')));
                }
            }
        }
        return contents;
    }

    /** Every table's checksum in every database of a restored server. */
    static Map<String, Map<String, String>> contents(RestoredServer restored) throws SQLException {
        Map<String, Map<String, String>> contents = new TreeMap<>();
        for (String database : DATABASES) {
            try (Connection connection = restored.connect(database)) {
                contents.put(database, tableContents(connection));
            }
        }
        return contents;
    }

    /** A count through the index only (sequential scans off), to prove the index was restored too. */
    static long indexedCount(RestoredServer restored, String database, String sql) throws SQLException {
        try (Connection connection = restored.connect(database); Statement statement = connection.createStatement()) {
            statement.execute("SET enable_seqscan = off");
            try (ResultSet rs = statement.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static List<Integer> majors() {
        return PgMajors.selectedWithIncremental();
    }
}
