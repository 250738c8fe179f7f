package dev.cellar.restore.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestChecksums;
import dev.cellar.core.backup.ManifestFile;
import dev.cellar.core.backup.WalRange;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifest of a combined directory, derived from the newest backup's. */
class CombinedManifestTest {
    private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");
    private static final ChecksumAlgorithm CRC = ChecksumAlgorithm.CRC32C;
    private static final byte[] LABEL = "START WAL LOCATION: 0/2000028\n".getBytes(StandardCharsets.US_ASCII);
    private static final List<WalRange> WAL = List.of(
            new WalRange(TimelineId.of(1), Lsn.parse("0/2000028"), Lsn.parse("0/2000100")));

    private static ManifestFile file(String path, long size) {
        return ManifestFile.of(path, size, T, CRC, ManifestChecksums.hex(CRC, new byte[(int) size]));
    }

    private static BackupManifest newest(ManifestFile... files) {
        return BackupManifest.version2(42, List.of(files), WAL);
    }

    @Test
    void incrementalEntriesBecomeTheRebuiltFilesInPlaceAndTheLabelIsTheOneWritten() {
        BackupManifest newest = newest(file("backup_label", 300), file("base/5/INCREMENTAL.16384", 12),
                file("PG_VERSION", 3), file("pg_tblspc/16400/PG_17_1/5/INCREMENTAL.16500", 12));

        BackupManifest combined = CombinedManifest.of(newest, "I2", Map.of(
                "base/5/INCREMENTAL.16384", new CombinedManifest.Rebuilt("base/5/16384", 24576, CRC, "0a0b0c0d"),
                "pg_tblspc/16400/PG_17_1/5/INCREMENTAL.16500",
                new CombinedManifest.Rebuilt("pg_tblspc/16400/PG_17_1/5/16500", 8192, CRC, "01020304")), LABEL);

        assertThat(combined.files()).containsExactly(
                ManifestFile.of("backup_label", LABEL.length, T, CRC, ManifestChecksums.hex(CRC, LABEL)),
                ManifestFile.of("base/5/16384", 24576, T, CRC, "0a0b0c0d"),
                file("PG_VERSION", 3),
                ManifestFile.of("pg_tblspc/16400/PG_17_1/5/16500", 8192, T, CRC, "01020304"));
        assertThat(combined.version()).isEqualTo(2);
        assertThat(combined.systemIdentifier()).hasValue(42);
        assertThat(combined.walRanges()).isEqualTo(WAL);
    }

    @Test
    void anIncrementalFileTheIndexDoesNotHoldIsAnError() {
        BackupManifest newest = newest(file("backup_label", 300), file("base/5/INCREMENTAL.16384", 12));

        assertThatThrownBy(() -> CombinedManifest.of(newest, "I2", Map.of(), LABEL))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
                    assertThat(e.getMessage()).isEqualTo("backup I2: its manifest lists base/5/INCREMENTAL.16384,"
                            + " which its file index does not hold");
                });
    }

    @Test
    void aRebuiltFileTheManifestDoesNotListIsAnError() {
        BackupManifest newest = newest(file("backup_label", 300));

        assertThatThrownBy(() -> CombinedManifest.of(newest, "I2", Map.of("base/5/INCREMENTAL.16384",
                new CombinedManifest.Rebuilt("base/5/16384", 8192, CRC, "0a0b0c0d")), LABEL))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.getMessage()).isEqualTo(
                        "backup I2: its file index holds base/5/INCREMENTAL.16384, which its manifest does not list"));
    }

    @Test
    void aManifestWithoutBackupLabelIsAnError() {
        assertThatThrownBy(() -> CombinedManifest.of(newest(file("PG_VERSION", 3)), "I2", Map.of(), LABEL))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("backup I2: its manifest does not list backup_label"));
    }
}
