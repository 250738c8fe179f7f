package dev.cellar.catalog;

import dev.cellar.core.CellarException;
import dev.cellar.core.TimelineHistory;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.BackupListing;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredHistory;
import dev.cellar.storage.repository.StoredWal;
import dev.cellar.storage.repository.WalGap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recreates the catalog from the repository alone: clusters, timelines, every WAL segment (each
 * read once and verified, which also yields its stored checksum), recorded gaps and committed
 * backups with their keeps. Jobs and verification results are the server's history, not repository facts, and
 * are not recreated.
 */
final class CatalogRebuild {
    private static final Logger log = LoggerFactory.getLogger(CatalogRebuild.class);
    private static final int BATCH = 500;

    private final Catalog catalog;
    private final Repository repository;
    private final boolean offsite;
    private final List<String> incomplete = new ArrayList<>();
    private final List<String> damaged = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private int clusters;
    private int timelines;
    private int walSegments;
    private int gaps;
    private int backups;

    CatalogRebuild(Catalog catalog, Repository repository, boolean offsite) {
        this.catalog = catalog;
        this.repository = repository;
        this.offsite = offsite;
    }

    RebuildReport run() {
        for (String name : repository.clusterNames()) {
            Optional<ClusterInfo> info = repository.cluster(name);
            if (info.isEmpty()) {
                problems.add("clusters/" + name + "/ has no cluster.json: skipped");
                continue;
            }
            rebuildCluster(info.get());
        }
        RebuildReport report = new RebuildReport(clusters, timelines, walSegments, gaps, backups, incomplete, damaged,
                problems);
        log.info("rebuilt catalog {} from {}: {}", catalog.file(), repository.store().describe(), report);
        return report;
    }

    private void rebuildCluster(ClusterInfo info) {
        String cluster = info.name();
        catalog.clusters().register(cluster, Long.parseUnsignedLong(info.systemIdentifier()), info.pgMajor(),
                info.segmentSize(), info.createdAt());
        clusters++;
        List<StoredHistory> histories = new ArrayList<>(repository.histories(cluster));
        histories.sort(Comparator.comparing(h -> h.history().timeline()));
        catalog.timelines().record(cluster, TimelineHistory.initial());
        for (StoredHistory history : histories) {
            catalog.timelines().record(cluster, history.history(), history.sha256());
        }
        timelines += 1 + histories.size();

        List<WalSegmentRow> batch = new ArrayList<>();
        for (StoredWal wal : repository.walSegments(cluster)) {
            try {
                StoredObject verified = repository.verifyWal(wal);
                batch.add(RepositoryRecords.walSegment(wal, verified, !offsite, offsite));
            } catch (CellarException e) {
                problems.add(e.getMessage());
                continue;
            }
            if (batch.size() == BATCH) {
                walSegments += flush(batch);
            }
        }
        walSegments += flush(batch);

        for (WalGap gap : repository.gaps(cluster)) {
            catalog.walGaps().record(cluster, RepositoryRecords.gapRange(gap), gap.detectedAt(), gap.reason());
            gaps++;
        }

        for (BackupListing listing : repository.backups(cluster)) {
            switch (listing) {
                case BackupListing.Complete complete -> {
                    try {
                        rebuildBackup(complete.info());
                    } catch (CellarException e) {
                        // Backup ids are unique across the repository; a clash means two repositories
                        // were merged by hand. Report it rather than pick one.
                        problems.add(e.getMessage());
                    }
                }
                case BackupListing.Incomplete i -> incomplete.add(cluster + "/" + i.id());
                case BackupListing.Damaged d -> {
                    damaged.add(cluster + "/" + d.id());
                    problems.add(d.problem());
                }
            }
        }
    }

    private int flush(List<WalSegmentRow> batch) {
        int n = batch.size();
        if (n > 0) {
            catalog.wal().recordAll(List.copyOf(batch));
            batch.clear();
        }
        return n;
    }

    private void rebuildBackup(BackupInfo info) {
        TimelineHistory path = catalog.timelines().history(info.cluster(), info.endTimeline())
                .orElse(TimelineHistory.initial());
        boolean walComplete = catalog.wal().walCoverage(info.cluster(), path, info.startLsn(), info.endLsn()).isComplete();
        BackupStatus status = walComplete ? BackupStatus.COMPLETE : BackupStatus.WAITING_FOR_WAL;
        catalog.backups().save(RepositoryRecords.backup(info, status), RepositoryRecords.databases(info),
                RepositoryRecords.tablespaces(info));
        repository.keep(info.cluster(), info.id()).ifPresent(keep -> keep.untilDate().ifPresentOrElse(
                until -> catalog.backups().pinUntil(info.id(), until), () -> catalog.backups().pinForever(info.id())));
        backups++;
    }
}
