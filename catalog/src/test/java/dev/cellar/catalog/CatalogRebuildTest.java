package dev.cellar.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.io.Sha256;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.BackupKeep;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredHistory;
import dev.cellar.storage.repository.WalGap;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository with several clusters, timelines, WAL (complete and partial), a gap and backups
 * (full, incremental, waiting for WAL, incomplete, damaged) is catalogued as the live server would,
 * then the catalog is dropped and rebuilt from the repository alone: every row must come back.
 */
class CatalogRebuildTest {
    private static final WalSegmentSize ONE_MB = WalSegmentSize.of(1 << 20);
    private static final Instant T0 = Instant.parse("2026-11-20T03:00:00.123456Z");
    private static final List<String> TABLES = List.of("clusters", "timelines", "wal_segments", "wal_gaps", "backups",
            "backup_databases", "backup_tablespaces");

    @TempDir
    Path dir;

    @Test
    void aDroppedCatalogIsRebuiltRowForRowFromTheRepository() throws Exception {
        Path repoDir = Files.createDirectories(dir.resolve("repo"));
        Repository repo = new Repository(LocalStore.open(repoDir));
        Path liveFile = dir.resolve("live.db");
        try (Catalog live = Catalog.open(liveFile)) {
            new LiveServer(repo, live).populate();
        }
        java.util.Map<String, List<String>> before = dumpAll(liveFile);
        Files.delete(liveFile);

        Path rebuiltFile = dir.resolve("rebuilt.db");
        RebuildReport report;
        try (Catalog rebuilt = Catalog.open(rebuiltFile)) {
            report = rebuilt.rebuildFrom(repo);
            assertThat(rebuilt.backups().list("alpha", java.util.Set.of(BackupStatus.COMPLETE)))
                    .extracting(BackupRow::id).containsExactly("20261121-030000I", "20261120-030000F");
            assertThat(rebuilt.backups().find("20261121-040000F")).isEmpty();
            assertThat(rebuilt.backups().get("20261122-030000F").status()).isEqualTo(BackupStatus.WAITING_FOR_WAL);
            assertThat(rebuilt.backups().get("20261120-030000F").pinnedForever()).isTrue();
            assertThat(rebuilt.backups().get("20261121-030000I").pinnedUntil()).isPresent();
            assertThat(rebuilt.backups().get("20261122-030000F").isPinned(T0)).isFalse();
        }

        java.util.Map<String, List<String>> after = dumpAll(rebuiltFile);
        for (String table : TABLES) {
            assertThat(after.get(table)).as("rows of %s after the rebuild", table).isEqualTo(before.get(table));
        }
        assertThat(report.clusters()).isEqualTo(3);
        assertThat(report.walSegments()).isEqualTo(13);
        assertThat(report.gaps()).isEqualTo(1);
        assertThat(report.completeBackups()).isEqualTo(4);
        assertThat(report.incompleteBackups()).containsExactly("alpha/20261121-040000F");
        assertThat(report.damagedBackups()).containsExactly("alpha/20261121-050000F");
        assertThat(report.problems()).singleElement().asString().contains("20261121-050000F/backup.json");
        // Each table really had rows to compare.
        assertThat(before.values()).allSatisfy(rows -> assertThat(rows).isNotEmpty());
    }

    @Test
    void aCorruptedWalObjectIsLeftOutAndReportedSoCoverageShowsTheGap() throws Exception {
        Repository repo = new Repository(LocalStore.open(Files.createDirectories(dir.resolve("repo"))));
        try (Catalog live = Catalog.open(dir.resolve("live.db"))) {
            new LiveServer(repo, live).populate();
        }
        Path victim;
        try (var files = Files.walk(dir.resolve("repo/clusters/beta/wal"))) {
            victim = files.filter(p -> p.getFileName().toString().startsWith("000000010000000000000002")).findFirst()
                    .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length / 2] ^= 1;
        Files.write(victim, bytes);

        try (Catalog rebuilt = Catalog.open(dir.resolve("rebuilt.db"))) {
            RebuildReport report = rebuilt.rebuildFrom(repo);
            assertThat(report.problems()).anySatisfy(p -> assertThat(p).contains(victim.getFileName().toString())
                    .contains("is damaged"));
            WalCoverage coverage = rebuilt.wal().walCoverage("beta", TimelineHistory.initial(), Lsn.parse("0/100000"),
                    Lsn.parse("0/400000"));
            assertThat(coverage.gaps()).containsExactly(new LsnRange(TimelineId.of(1), Lsn.parse("0/200000"),
                    Lsn.parse("0/300000")));
        }
    }

    /** Writes the repository and catalogues each write the way the server does. */
    private record LiveServer(Repository repo, Catalog catalog) {
        void populate() {
            cluster("alpha", "7441234567890123456", 170011);
            cluster("beta", "7441234567890999999", 150019);
            cluster("gamma", "12345", 180006);

            // alpha: timeline 1 until 0/580000 (in segment 5), timeline 2 until 0/8A0000, then 3.
            TimelineHistory two = TimelineHistory.initial().branch(TimelineId.of(2), Lsn.parse("0/580000"),
                    "no recovery target specified");
            TimelineHistory three = two.branch(TimelineId.of(3), Lsn.parse("0/8A0000"), "no recovery target specified");
            history("alpha", two);
            history("alpha", three);
            for (long seg = 1; seg <= 4; seg++) {
                wal("alpha", 1, seg, false, 1 << 20);
            }
            wal("alpha", 1, 5, true, 0x80000);
            for (long seg = 5; seg <= 7; seg++) {
                wal("alpha", 2, seg, false, 1 << 20);
            }
            wal("alpha", 3, 8, false, 1 << 20);
            wal("alpha", 3, 9, false, 1 << 20);
            WalGap gap = repo.recordGap("alpha", WalGap.of("alpha", TimelineId.of(3), Lsn.parse("0/A00000"),
                    Lsn.parse("0/C00000"), T0.plusSeconds(3600), "slot cellar_alpha was missing after a failover"));
            catalog.walGaps().record("alpha", RepositoryRecords.gapRange(gap), gap.detectedAt(), gap.reason());

            backup("alpha", "20261120-030000F", null, 1, "0/100028", "0/100100", BackupStatus.COMPLETE);
            backup("alpha", "20261121-030000I", "20261120-030000F", 2, "0/600028", "0/600100", BackupStatus.COMPLETE);
            backup("alpha", "20261122-030000F", null, 3, "0/A00028", "0/A00100", BackupStatus.WAITING_FOR_WAL);
            // Keeps asked for by a person: recorded in the repository first, then the catalog.
            repo.putKeep(BackupKeep.forever("alpha", "20261120-030000F", T0));
            catalog.backups().pinForever("20261120-030000F");
            Instant until = T0.plus(java.time.Duration.ofDays(400));
            repo.putKeep(BackupKeep.until("alpha", "20261121-030000I", until, T0));
            catalog.backups().pinUntil("20261121-030000I", until);
            repo.putKeep(BackupKeep.forever("alpha", "20261122-030000F", T0));
            repo.releaseKeep("alpha", "20261122-030000F"); // released again: no keep
            repo.putBackupObject("alpha", "20261121-040000F", "backup_manifest", bytes("interrupted"), Codec.NONE);
            // A backup whose backup.json was damaged later (a torn disk write, a bad sector).
            repo.putBackupObject("alpha", "20261121-050000F", "backup_manifest", bytes("damaged"), Codec.NONE);
            try {
                Files.writeString(((LocalStore) repo.store()).root()
                        .resolve("clusters/alpha/backups/20261121-050000F/backup.json"), "{\"format\" : 1}\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }

            // beta: one timeline, three segments, one backup.
            for (long seg = 1; seg <= 3; seg++) {
                wal("beta", 1, seg, false, 1 << 20);
            }
            backup("beta", "20261120-031500F", null, 1, "0/100028", "0/100100", BackupStatus.COMPLETE);
        }

        void cluster(String name, String sysid, int version) {
            ClusterInfo info = repo.registerCluster(ClusterInfo.of(name, sysid, version, ONE_MB, T0));
            catalog.clusters().register(name, Long.parseUnsignedLong(sysid), info.pgMajor(), ONE_MB, T0);
            catalog.timelines().record(name, TimelineHistory.initial());
        }

        void history(String cluster, TimelineHistory history) {
            StoredHistory stored = repo.putHistory(cluster, history);
            catalog.timelines().record(cluster, history, stored.sha256());
        }

        void wal(String cluster, long tli, long segno, boolean partial, int length) {
            byte[] content = new byte[length];
            new Random(cluster.hashCode() * 1000 + tli * 100 + segno).nextBytes(content);
            WalSegmentName name = new WalSegmentName(TimelineId.of(tli), segno, ONE_MB);
            Repository.WalPut put = repo.putWal(cluster, name, partial, new ByteArrayInputStream(content), length,
                    Sha256.hex(content), Codec.parse("zstd:1"));
            catalog.wal().record(RepositoryRecords.walSegment(put.wal(), put.object().orElseThrow(), true, false));
        }

        void backup(String cluster, String id, String parent, long tli, String start, String end, BackupStatus status) {
            StoredObject manifest = repo.putBackupObject(cluster, id, "backup_manifest", bytes("{manifest " + id + "}"),
                    Codec.parse("zstd:3"));
            StoredObject chunk = repo.putBackupObject(cluster, id, "data/base/00001.zst", bytes("data of " + id),
                    Codec.parse("zstd:3"));
            BackupInfo info = new BackupInfo(1, id, cluster,
                    parent == null ? BackupInfo.Kind.FULL : BackupInfo.Kind.INCREMENTAL, parent, "cellar " + id,
                    "1", 170011, BackupInfo.Source.PRIMARY, TimelineId.of(tli), Lsn.parse(start),
                    Lsn.parse(start).plus(0x38), TimelineId.of(tli), Lsn.parse(end), T0, T0.plusSeconds(42),
                    List.of(new BackupInfo.Tablespace(16390, "extra", "/srv/pg/extra")),
                    List.of(new BackupInfo.Database(5, "postgres"), new BackupInfo.Database(16384, "app")),
                    manifest, List.of(new BackupInfo.BackupObject("chunk", "base", 1, chunk)),
                    8_000_000, chunk.storedSize() + manifest.storedSize());
            repo.commitBackup(info);
            catalog.backups().save(RepositoryRecords.backup(info, status), RepositoryRecords.databases(info),
                    RepositoryRecords.tablespaces(info));
        }

        static ByteArrayInputStream bytes(String text) {
            return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static java.util.Map<String, List<String>> dumpAll(Path file) throws Exception {
        java.util.Map<String, List<String>> tables = new java.util.LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String table : TABLES) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData meta = rs.getMetaData();
                    while (rs.next()) {
                        List<String> row = new ArrayList<>();
                        for (int i = 1; i <= meta.getColumnCount(); i++) {
                            row.add(meta.getColumnName(i) + "=" + rs.getString(i));
                        }
                        rows.add(String.join(", ", row));
                    }
                }
                rows.sort(null);
                tables.put(table, rows);
            }
        }
        return tables;
    }
}
