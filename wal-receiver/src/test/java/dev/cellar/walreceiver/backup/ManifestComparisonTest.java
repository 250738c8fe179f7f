package dev.cellar.walreceiver.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestFile;
import dev.cellar.core.backup.WalRange;
import dev.cellar.storage.backup.BackupEntry;
import dev.cellar.storage.backup.EntryType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestComparisonTest {
    private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    private static BackupEntry file(String archive, String path, long size, String sha) {
        return new BackupEntry(archive, path, EntryType.FILE, 0600, T.getEpochSecond(), size, sha, null, 0);
    }

    private static BackupManifest manifest(ManifestFile... files) {
        return BackupManifest.version2(42, List.of(files),
                List.of(new WalRange(TimelineId.of(1), Lsn.parse("0/2000028"), Lsn.parse("0/2000100"))));
    }

    @Test
    void matchingFilesOfEveryArchiveGiveNoDifference() {
        List<BackupEntry> received = List.of(file("base", "backup_label", 10, A), file("16385", "PG_17_1/5/16390", 8192, B));
        BackupManifest listed = manifest(ManifestFile.of("backup_label", 10, T, ChecksumAlgorithm.SHA256, A),
                ManifestFile.of("pg_tblspc/16385/PG_17_1/5/16390", 8192, T, ChecksumAlgorithm.SHA256, B));
        assertThat(ManifestComparison.differences(received, ChecksumAlgorithm.SHA256, listed)).isEmpty();
    }

    @Test
    void everyKindOfDifferenceIsNamed() {
        List<BackupEntry> received = List.of(file("base", "short", 9, A), file("base", "changed", 10, B),
                file("base", "extra", 1, A));
        BackupManifest listed = manifest(ManifestFile.of("short", 10, T, ChecksumAlgorithm.SHA256, A),
                ManifestFile.of("changed", 10, T, ChecksumAlgorithm.SHA256, A),
                ManifestFile.of("missing", 3, T, ChecksumAlgorithm.SHA256, A));
        assertThat(ManifestComparison.differences(received, ChecksumAlgorithm.SHA256, listed)).containsExactly(
                "short: 9 bytes received, the manifest says 10",
                "changed: SHA256 " + B + " received, the manifest says " + A,
                "extra: received, but not in the manifest",
                "missing: in the manifest, but not received");
    }

    @Test
    void aChecksumOfAnotherAlgorithmThanAskedForIsADifference() {
        List<BackupEntry> received = List.of(file("base", "PG_VERSION", 3, "839206e3"));
        BackupManifest listed = manifest(ManifestFile.of("PG_VERSION", 3, T, ChecksumAlgorithm.CRC32C, "839206e3"));
        assertThat(ManifestComparison.differences(received, ChecksumAlgorithm.CRC32C, listed)).isEmpty();
        assertThat(ManifestComparison.differences(received, ChecksumAlgorithm.SHA256, listed)).containsExactly(
                "PG_VERSION: the manifest has a CRC32C checksum, SHA256 was asked for");
    }

    @Test
    void theManifestMustNameThisSystemAndTheWalRangeTheServerReported() {
        BaseBackupStart start = new BaseBackupStart(Lsn.parse("0/2000028"), TimelineId.of(1), List.of());
        BaseBackupResult same = new BaseBackupResult(start, Lsn.parse("0/2000100"), TimelineId.of(1), List.of());
        assertThat(ManifestComparison.identityDifferences(manifest(), "42", same)).isEmpty();

        BaseBackupResult other = new BaseBackupResult(start, Lsn.parse("0/3000000"), TimelineId.of(2), List.of());
        assertThat(ManifestComparison.identityDifferences(manifest(), "43", other)).containsExactly(
                "System-Identifier 42, the server is system 43",
                "WAL-Ranges end at 0/2000100 on timeline 1, the server reported 0/3000000 on timeline 2");
    }

    @Test
    void aLongListIsSummarised() {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            problems.add("p" + i);
        }
        assertThat(ManifestComparison.summary(problems)).isEqualTo("p0; p1; p2; p3; p4; p5; p6; p7; p8; p9; and 3 more");
    }
}
