package dev.cellar.restore.plan;

import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.ClusterRow;
import dev.cellar.catalog.TimelineRow;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.TimelineHistory;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Reads the {@link RestoreFacts} of one cluster from a catalog (read only). */
public final class CatalogFacts {
    private CatalogFacts() {
    }

    /**
     * @throws CellarException {@link ErrorCode#RESTORE_FAILED} naming the known clusters if
     *                         {@code cluster} is not catalogued
     */
    public static RestoreFacts load(Catalog catalog, String cluster, Instant now) {
        Optional<ClusterRow> row = catalog.clusters().find(cluster);
        if (row.isEmpty()) {
            List<String> known = catalog.clusters().list().stream().map(ClusterRow::name).toList();
            throw new CellarException(ErrorCode.RESTORE_FAILED, "no cluster \"%s\" in the catalog".formatted(cluster),
                    known.isEmpty() ? "the catalog knows no cluster yet" : "known clusters: " + String.join(", ", known));
        }
        List<TimelineHistory> histories = catalog.timelines().list(cluster).stream()
                .map(TimelineRow::timeline)
                .filter(t -> t.value() > 1)
                .flatMap(t -> catalog.timelines().history(cluster, t).stream())
                .toList();
        return new RestoreFacts(cluster, row.get().walSegmentSize(), catalog.backups().list(cluster), histories,
                catalog.wal().list(cluster), now);
    }
}
