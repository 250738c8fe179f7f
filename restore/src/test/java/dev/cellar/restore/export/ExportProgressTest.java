package dev.cellar.restore.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExportProgressTest {
    @Test
    void rateFractionAndTimeLeftFollowFromBytesAndTime() {
        Instant start = Instant.parse("2026-11-21T12:00:00Z");
        ExportProgress p = new ExportProgress(ExportProgress.Phase.UNPACKING, 300L << 20, 1200L << 20, start,
                start.plusSeconds(3));
        assertThat(p.bytesPerSecond()).hasValue(100L << 20);
        assertThat(p.fraction()).hasValue(0.25);
        assertThat(p.eta()).contains(Duration.ofSeconds(9));
        ExportProgress atStart = new ExportProgress(ExportProgress.Phase.UNPACKING, 0, 10, start, start);
        assertThat(atStart.bytesPerSecond()).isEmpty();
        assertThat(atStart.eta()).isEmpty();
        ExportProgress over = new ExportProgress(ExportProgress.Phase.SYNCING, 12, 10, start, start.plusSeconds(1));
        assertThat(over.fraction()).hasValue(1.0);
        assertThat(over.eta()).isEmpty();
        assertThat(new ExportProgress(ExportProgress.Phase.DONE, 0, 0, start, start).fraction()).isEmpty();
    }
}
