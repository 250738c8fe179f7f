package dev.cellar.walreceiver.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BaseBackupOptionsTest {
    @Test
    void aFullBackupAsksForEverythingCellarChecksAndNothingItDoesNotUse() {
        assertThat(BaseBackupOptions.full("nightly").command()).isEqualTo("BASE_BACKUP (LABEL 'nightly', PROGRESS,"
                + " CHECKPOINT 'fast', WAIT false, MANIFEST 'yes', MANIFEST_CHECKSUMS 'CRC32C', TABLESPACE_MAP,"
                + " TARGET 'client')");
    }

    @Test
    void optionalPartsAreAppended() {
        BaseBackupOptions options = BaseBackupOptions.full("it's")
                .withCheckpoint(CheckpointMode.SPREAD)
                .withMaxRate(OptionalInt.of(1024))
                .withServerCompression(Optional.of(new ServerCompression(ServerCompression.Algorithm.ZSTD, "level=3,workers=2")))
                .withIncremental(true);
        assertThat(options.command()).isEqualTo("BASE_BACKUP (LABEL 'it''s', PROGRESS, CHECKPOINT 'spread', WAIT false,"
                + " MANIFEST 'yes', MANIFEST_CHECKSUMS 'CRC32C', TABLESPACE_MAP, TARGET 'client', MAX_RATE 1024,"
                + " COMPRESSION 'zstd', COMPRESSION_DETAIL 'level=3,workers=2', INCREMENTAL)");
    }

    @Test
    void badValuesAreRefusedBeforeReachingTheServer() {
        assertThatThrownBy(() -> BaseBackupOptions.full("a\nb")).hasMessageContaining("invalid backup label");
        assertThatThrownBy(() -> BaseBackupOptions.full("x".repeat(1024))).hasMessageContaining("invalid backup label");
        assertThatThrownBy(() -> BaseBackupOptions.full("x").withMaxRate(OptionalInt.of(31)))
                .hasMessageContaining("31 kB/s is outside what PostgreSQL accepts");
        assertThatThrownBy(() -> new ServerCompression(ServerCompression.Algorithm.ZSTD, "level=3'; DROP"))
                .hasMessageContaining("invalid server compression detail");
    }

    @Test
    void byteRatesBecomeKilobytesWithinPostgresLimits() {
        assertThat(BaseBackupOptions.kbPerSecond(100L << 20)).hasValue(102400);
        assertThat(BaseBackupOptions.kbPerSecond(1000)).hasValue(32);
        assertThat(BaseBackupOptions.kbPerSecond(10L << 40)).hasValue(1_048_576);
        assertThat(BaseBackupOptions.kbPerSecond(0)).isEmpty();
    }

    @Test
    void progressDerivesRateAndTimeLeft() {
        Instant start = Instant.parse("2026-11-21T10:00:00Z");
        BackupProgress p = new BackupProgress(BackupProgress.Phase.STREAMING, 100 << 20, OptionalLong.of(400L << 20),
                50 << 20, start, start.plusSeconds(10));
        assertThat(p.bytesPerSecond()).hasValue((100L << 20) / 10);
        assertThat(p.eta()).contains(Duration.ofSeconds(30));
        assertThat(p.fraction()).contains(0.25);
        assertThat(new BackupProgress(BackupProgress.Phase.CHECKPOINT, 0, OptionalLong.empty(), 0, start, start).eta())
                .isEmpty();
    }
}
