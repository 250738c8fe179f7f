package dev.cellar.server.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.restore.export.RecoverySettings;
import dev.cellar.server.cli.BackupCtl;
import dev.cellar.testkit.RestoredServer;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PostgresKit;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code backupctl} against a bare repository, as after losing the server: no catalog file (a
 * scratch one is rebuilt), list-backups, restore with a time target (with and without an offset),
 * dry runs, refusals that write nothing, wal-get, and a corrupted chunk.
 */
class BackupCtlRestoreIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    /** The exit code of a refused restore: its error code's number. */
    static final int RESTORE_FAILED = ErrorCode.RESTORE_FAILED.number();

    record Outcome(int exitCode, String out, String err) {
    }

    static Outcome backupctl(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BackupCtl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void restoresFromTheRepositoryAloneAndRefusesWhatItCannotDo() throws Exception {
        try (RestoreDrill drill = RestoreDrill.run(PG, PgMajors.selected().getLast())) {
            String repo = drill.root.resolve("repo").toString();
            assertThat(Path.of(repo, "catalog.db")).doesNotExist();

            Outcome list = backupctl("--repository", repo, "list-backups", "--cluster", "c1", "--json");
            assertThat(list.exitCode()).as(list.err()).isZero();
            JsonNode backups = new ObjectMapper().readTree(list.out());
            assertThat(backups).hasSize(1);
            assertThat(backups.get(0).get("id").asText()).isEqualTo(drill.backup.id());
            assertThat(backups.get(0).get("status").asText()).isEqualTo("complete");
            assertThat(list.err()).contains("rebuilding a scratch catalog");
            Outcome table = backupctl("--repository", repo, "list-backups", "--cluster", "c1");
            assertThat(table.out()).contains("ID", drill.backup.id(), "complete");

            // The mark as a bare local time: read in this machine's zone, and said so.
            String bare = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
                    .format(drill.markTime.atZone(ZoneId.systemDefault()));
            Path dryDest = drill.root.resolve("dry/data");
            Outcome dry = backupctl("--repository", repo, "restore", "--cluster", "c1", "--target-time", bare,
                    "--dest", dryDest.toString(), "--dry-run");
            assertThat(dry.exitCode()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("Restore plan for cluster c1", "has no offset: read in "
                    + ZoneId.systemDefault(), "backup:    " + drill.backup.id(), "stops at:  commit of transaction "
                    + drill.deletingXid, "dry run: nothing written");
            assertThat(dryDest.getParent()).doesNotExist();

            Path data = drill.root.resolve("cli/data");
            Outcome restore = backupctl("--repository", repo, "restore", "--cluster", "c1", "--target-time",
                    drill.markTime.toString(), "--dest", data.toString(), "--jobs", "2", "--json");
            assertThat(restore.exitCode()).as(restore.err()).isZero();
            JsonNode document = new ObjectMapper().readTree(restore.out());
            assertThat(document.at("/plan/backups/0").asText()).isEqualTo(drill.backup.id());
            assertThat(document.at("/result/settings/recovery_target_time").asText())
                    .isEqualTo(RecoverySettings.targetTime(drill.markTime));
            try (RestoredServer restored = RestoredServer.start(drill.server, data)) {
                assertThat(restored.queryLong("SELECT count(*) FROM drill")).isEqualTo(2000);
            }

            // Selective: only postgres (and the templates) with data; reports comes back empty, to drop.
            Path selective = drill.root.resolve("selective/data");
            Outcome only = backupctl("--repository", repo, "restore", "--cluster", "c1", "--databases", "postgres",
                    "--dest", selective.toString());
            assertThat(only.exitCode()).as(only.err()).isZero();
            assertThat(only.out()).contains("databases restored empty", "reports (OID ");
            try (RestoredServer restored = RestoredServer.start(drill.server, selective)) {
                assertThat(restored.queryLong("SELECT count(*) FROM drill")).isEqualTo(1501);
                assertThat(restored.queryLong("SELECT count(*) FROM pg_database WHERE datname = 'reports'")).isOne();
                restored.execute("DROP DATABASE reports");
                assertThat(restored.queryLong("SELECT count(*) FROM pg_database WHERE datname = 'reports'")).isZero();
            }
            Outcome unknownDatabase = backupctl("--repository", repo, "restore", "--cluster", "c1", "--databases",
                    "nope", "--dest", drill.root.resolve("nope/data").toString());
            assertThat(unknownDatabase.exitCode()).isEqualTo(RESTORE_FAILED);
            assertThat(unknownDatabase.err()).contains("has no database nope", "its databases: ");
            assertThat(drill.root.resolve("nope")).doesNotExist();

            // Refusals: exit 70 (RESTORE_FAILED), a reason, nothing written.
            Path refused = drill.root.resolve("refused/data");
            Outcome early = backupctl("--repository", repo, "restore", "--cluster", "c1", "--target-time",
                    drill.beforeBackup.minusSeconds(3600).toString(), "--dest", refused.toString());
            assertThat(early.exitCode()).isEqualTo(RESTORE_FAILED);
            assertThat(early.err()).contains("cannot restore to time", "recoverable on timeline 1");
            assertThat(refused.getParent()).doesNotExist();
            Outcome future = backupctl("--repository", repo, "restore", "--cluster", "c1", "--target-time",
                    "2999-01-01 00:00:00+00", "--dest", refused.toString());
            assertThat(future.exitCode()).isEqualTo(RESTORE_FAILED);
            assertThat(future.err()).contains("is in the future");
            Files.createDirectories(refused);
            Files.writeString(refused.resolve("PG_VERSION"), "mine");
            Outcome nonEmpty = backupctl("--repository", repo, "restore", "--cluster", "c1", "--dest",
                    refused.toString());
            assertThat(nonEmpty.exitCode()).isEqualTo(RESTORE_FAILED);
            assertThat(nonEmpty.err()).contains("is not empty (it holds PG_VERSION)");
            assertThat(Files.readString(refused.resolve("PG_VERSION"))).isEqualTo("mine");
            Outcome usage = backupctl("--repository", repo, "restore", "--cluster", "c1");
            assertThat(usage.exitCode()).isEqualTo(BackupCtl.USAGE);
            assertThat(usage.err()).contains("--dest DIR is required");
            assertThat(backupctl("restore", "--cluster", "c1", "--dry-run").err())
                    .contains("give the server's configuration (--config FILE) or a repository");

            // wal-get, for restore_command: the file, or exit 1 when the repository lacks it.
            String segment = drill.catalog.wal().list("c1").getFirst().fileName();
            Path fetched = drill.root.resolve("fetched");
            assertThat(backupctl("--repository", repo, "wal-get", "--cluster", "c1", segment, fetched.toString())
                    .exitCode()).isZero();
            assertThat(Files.size(fetched)).isEqualTo(16L << 20);
            Outcome missing = backupctl("--repository", repo, "wal-get", "--cluster", "c1",
                    "0000000100000000000000FF", fetched.toString());
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.err()).contains("is not in the repository");

            // A damaged chunk: the restore fails naming it, and removes what it wrote.
            Path chunk;
            try (Stream<Path> files = Files.walk(Path.of(repo, "clusters", "c1", "backups", drill.backup.id()))) {
                chunk = files.filter(p -> p.getFileName().toString().endsWith(".chunk.zst")).findFirst().orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(chunk);
            bytes[bytes.length / 2] ^= 0x40;
            Files.write(chunk, bytes);
            Path damaged = drill.root.resolve("damaged/data");
            Outcome corrupt = backupctl("--repository", repo, "restore", "--cluster", "c1", "--dest",
                    damaged.toString());
            assertThat(corrupt.exitCode()).as(corrupt.err()).isIn(RESTORE_FAILED, ErrorCode.OBJECT_CORRUPT.number());
            assertThat(corrupt.err()).contains(chunk.getFileName().toString());
            assertThat(damaged).doesNotExist();

            // A WAL gap (a segment lost from the repository): targets behind it are refused, naming it.
            String lost = WalSegmentName.containing(TimelineId.INITIAL, drill.mark, WalSegmentSize.DEFAULT).fileName();
            try (Stream<Path> files = Files.walk(Path.of(repo, "clusters", "c1", "wal"))) {
                Path lostFile = files.filter(p -> p.getFileName().toString().startsWith(lost + "-")).findFirst()
                        .orElseThrow();
                Files.delete(lostFile);
            }
            drill.server.execute("INSERT INTO drill VALUES (6000, 'after the gap')");
            Lsn after = drill.server.switchWal();
            Awaitility.await("WAL after the gap archived").atMost(RestoreDrill.WAIT).until(() -> drill.catalog.wal()
                    .list("c1").stream().anyMatch(w -> w.end().compareTo(after) >= 0));
            Path gapped = drill.root.resolve("gap/data");
            Outcome gap = backupctl("--repository", repo, "--rebuild-catalog", "restore", "--cluster", "c1",
                    "--target-time", drill.markTime.toString(), "--dest", gapped.toString());
            assertThat(gap.exitCode()).as(gap.err()).isEqualTo(RESTORE_FAILED);
            assertThat(gap.err()).contains("is missing (a gap)", "recoverable on timeline 1: ");
            Outcome latestAcrossGap = backupctl("--repository", repo, "--rebuild-catalog", "restore", "--cluster",
                    "c1", "--dest", gapped.toString());
            assertThat(latestAcrossGap.exitCode()).isEqualTo(RESTORE_FAILED);
            assertThat(latestAcrossGap.err()).contains("breaks off at", "--target-lsn");
            assertThat(gapped.getParent()).doesNotExist();
        }
    }

    static byte[] read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readAllBytes();
        }
    }
}
