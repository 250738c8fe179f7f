package dev.cellar.server.daemon;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.ClusterSizes;
import dev.cellar.server.metrics.CellarMetrics.ClusterSample;
import dev.cellar.walreceiver.stream.WalStreamStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Reads each streaming cluster's metric values from its stream and the catalog, once per scrape. */
final class MetricSamples {
    private MetricSamples() {
    }

    static Map<String, ClusterSample> of(Catalog catalog, Map<String, WalStreamStatus> streams, Clock clock) {
        Instant now = clock.instant();
        Map<String, ClusterSample> samples = new HashMap<>();
        for (Map.Entry<String, WalStreamStatus> entry : streams.entrySet()) {
            String cluster = entry.getKey();
            WalStreamStatus stream = entry.getValue();
            boolean catalogued = catalog.clusters().find(cluster).isPresent();
            Optional<BackupRow> newest = catalogued ? catalog.backups().list(cluster).stream()
                    .filter(BackupRow::isRestorable).max(Comparator.comparing(BackupRow::startTime)) : Optional.empty();
            ClusterSizes sizes = catalogued ? catalog.clusters().sizes(cluster) : new ClusterSizes(cluster, 0, 0, 0, 0,
                    0, 0);
            samples.put(cluster, new ClusterSample(stream.state() == WalStreamStatus.State.STREAMING,
                    stream.lagBytes(), stream.lag(now).toMillis() / 1000.0, stream.lastMessageAt().orElse(null),
                    newest.flatMap(BackupRow::endTime).orElse(null), newest.map(BackupRow::logicalSize).orElse(0L),
                    newest.map(BackupRow::storedSize).orElse(0L), sizes.walStoredBytes(), sizes.backupStoredBytes(),
                    catalogued ? catalog.walGaps().list(cluster).size() : 0, Math.max(0, stream.sessions() - 1)));
        }
        return samples;
    }
}
