package dev.cellar.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.server.metrics.CellarMetrics.ClusterSample;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CellarMetricsTest {
    private static final ClusterSample STREAMING = new ClusterSample(true, 0, 0, null, null, 0, 0, 10, 20, 0, 0);

    private final CellarMetrics metrics = new CellarMetrics(List.of("a", "b"),
            () -> Map.of("a", STREAMING, "b", STREAMING, "c", STREAMING),
            Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC));

    @Test
    void aRemovedClusterLosesEverySeriesAndALateJobOfItIsNotCounted() {
        metrics.backupFinished("b", "succeeded", Duration.ofSeconds(3));
        assertThat(metrics.scrape()).contains("cellar_wal_streaming{cluster=\"b\"} 1.0",
                "cellar_backup_jobs_total{cluster=\"b\",outcome=\"succeeded\"} 1.0",
                "cellar_backup_duration_seconds_count{cluster=\"b\"} 1");

        metrics.removeCluster("b");
        metrics.backupFinished("b", "failed", null); // its cancelled backup ends after the reload

        String scrape = metrics.scrape();
        assertThat(scrape).doesNotContain("cluster=\"b\"");
        assertThat(scrape).contains("cellar_wal_streaming{cluster=\"a\"} 1.0",
                "cellar_repository_bytes{cluster=\"a\",kind=\"backup\"} 20.0");
    }

    @Test
    void anAddedClusterGetsItsSeriesOnceAndStartsCountingAfresh() {
        assertThat(metrics.scrape()).doesNotContain("cluster=\"c\"");

        metrics.addCluster("c");
        metrics.addCluster("c");
        metrics.backupFinished("c", "skipped", null);

        String scrape = metrics.scrape();
        assertThat(scrape).contains("cellar_wal_streaming{cluster=\"c\"} 1.0",
                "cellar_backup_jobs_total{cluster=\"c\",outcome=\"skipped\"} 1.0",
                "cellar_backup_jobs_total{cluster=\"c\",outcome=\"failed\"} 0.0");
        assertThat(scrape.lines().filter(l -> l.startsWith("cellar_wal_streaming{cluster=\"c\"}"))).hasSize(1);
    }
}
