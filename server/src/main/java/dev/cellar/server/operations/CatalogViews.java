package dev.cellar.server.operations;

import dev.cellar.catalog.BackupDatabase;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupTablespace;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.ClusterRow;
import dev.cellar.catalog.ClusterSizes;
import dev.cellar.catalog.TimelineRow;
import dev.cellar.catalog.TimelineWalExtent;
import dev.cellar.catalog.WalGapRow;
import dev.cellar.core.ErrorCode;
import dev.cellar.restore.plan.CatalogFacts;
import dev.cellar.restore.plan.RecoverableWindows;
import dev.cellar.restore.plan.RestoreFacts;
import dev.cellar.server.view.BackupDetail;
import dev.cellar.server.view.BackupView;
import dev.cellar.server.view.WalStatus;
import dev.cellar.server.view.WindowView;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The read-only answers that need only the catalog: a cluster's backups, one backup, its WAL and
 * what is recoverable. The server and {@code backupctl --repository} (no server) share them.
 */
public final class CatalogViews {
    private final Catalog catalog;

    public CatalogViews(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The catalogued cluster, or a 404 naming the known ones. */
    public ClusterRow cluster(String name) {
        return catalog.clusters().find(name).orElseThrow(() -> new NotFoundException(ErrorCode.CATALOG_FAILED,
                "no cluster \"" + name + "\" in the catalog", knownClusters()));
    }

    /** The catalogued clusters, as known without a server (none configured, no stream). */
    public List<dev.cellar.server.view.ClusterSummary> clusters() {
        return catalog.clusters().list().stream().map(row -> {
            ClusterSizes sizes = catalog.clusters().sizes(row.name());
            return new dev.cellar.server.view.ClusterSummary(row.name(), false, row.pgMajor(),
                    Long.toUnsignedString(row.systemIdentifier()), null, null, sizes.backups(), sizes.walSegments(),
                    sizes.walStoredBytes() + sizes.backupStoredBytes());
        }).toList();
    }

    /** A cluster's backups, oldest first. */
    public List<BackupView> backups(String cluster) {
        cluster(cluster);
        return catalog.backups().list(cluster).stream().map(BackupView::of).toList();
    }

    public BackupRow backupRow(String id) {
        return catalog.backups().find(id).orElseThrow(() -> new NotFoundException(ErrorCode.CATALOG_FAILED,
                "no backup " + id + " in the catalog", "list a cluster's backups: backupctl list-backups --cluster NAME"));
    }

    public BackupDetail backup(String id) {
        BackupRow row = backupRow(id);
        List<String> chain;
        try {
            chain = catalog.backups().chain(id).backups().stream().map(BackupRow::id).toList();
        } catch (dev.cellar.core.CellarException broken) {
            chain = List.of(); // a parent is missing: show the backup anyway, the status says why
        }
        return new BackupDetail(BackupView.of(row), chain,
                catalog.backups().children(id).stream().map(BackupRow::id).toList(),
                catalog.backups().databases(id).stream().sorted(Comparator.comparingLong(BackupDatabase::oid))
                        .map(d -> new BackupDetail.Database(d.oid(), d.name())).toList(),
                catalog.backups().tablespaces(id).stream().sorted(Comparator.comparingLong(BackupTablespace::oid))
                        .map(t -> new BackupDetail.Tablespace(t.oid(), t.name(), t.location())).toList());
    }

    /** A cluster's archived WAL per timeline, and its gaps. */
    public WalStatus wal(String cluster) {
        cluster(cluster);
        Map<Long, TimelineWalExtent> extents = catalog.wal().timelineExtents(cluster).stream()
                .collect(Collectors.toMap(e -> e.timeline().value(), Function.identity()));
        // Timeline 1 has no history file, so the live server may never have recorded a row for it:
        // a timeline counts when it has a row or archived WAL.
        Map<Long, TimelineRow> rows = catalog.timelines().list(cluster).stream()
                .collect(Collectors.toMap(t -> t.timeline().value(), Function.identity()));
        List<WalStatus.Timeline> timelines = java.util.stream.Stream.concat(rows.keySet().stream(),
                        extents.keySet().stream()).distinct().sorted()
                .map(tli -> {
                    Optional<TimelineRow> t = Optional.ofNullable(rows.get(tli));
                    Optional<TimelineWalExtent> extent = Optional.ofNullable(extents.get(tli));
                    return new WalStatus.Timeline(tli, t.flatMap(TimelineRow::parent).map(p -> p.value()).orElse(null),
                            t.flatMap(TimelineRow::switchLsn).map(Object::toString).orElse(null),
                            extent.map(e -> e.first().fileName()).orElse(null),
                            extent.map(e -> e.last().fileName()).orElse(null),
                            extent.map(e -> e.end().toString()).orElse(null), extent.map(e -> e.segments()).orElse(0L));
                })
                .toList();
        List<WalStatus.Gap> gaps = catalog.walGaps().list(cluster).stream().map(CatalogViews::gap).toList();
        ClusterSizes sizes = catalog.clusters().sizes(cluster);
        return new WalStatus(cluster, sizes.walSegments(), sizes.walLogicalBytes(), sizes.walStoredBytes(), timelines,
                gaps);
    }

    /** What a point-in-time restore can reach on the cluster's newest timeline, oldest stretch first. */
    public List<WindowView> recoverable(String cluster, Instant now) {
        cluster(cluster);
        RestoreFacts facts = CatalogFacts.load(catalog, cluster, now);
        long timeline = facts.histories().stream().mapToLong(h -> h.timeline().value()).max().orElse(1);
        return RecoverableWindows.ofLatestTimeline(facts).stream()
                .map(w -> new WindowView(timeline, w.from().toString(), w.fromTime().orElse(null), w.backupId(),
                        w.to().toString()))
                .toList();
    }

    private static WalStatus.Gap gap(WalGapRow g) {
        return new WalStatus.Gap(g.range().timeline().value(), g.range().from().toString(), g.range().to().toString(),
                g.detectedAt(), g.reason());
    }

    private String knownClusters() {
        List<String> names = catalog.clusters().list().stream().map(ClusterRow::name).toList();
        return names.isEmpty() ? "the catalog knows no cluster yet" : "known clusters: " + String.join(", ", names);
    }
}
