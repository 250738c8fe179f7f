package dev.cellar.server.backup;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import java.util.Optional;
import java.util.List;
import java.util.Set;

/**
 * Moves backups from {@code waiting_for_wal} to {@code complete} once the WAL from their start to
 * their end point is catalogued: only then can a restore reach their consistency point.
 */
public final class BackupStatusRefresher {
    private final Catalog catalog;

    public BackupStatusRefresher(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The status a committed backup has now. */
    public BackupStatus statusOf(String cluster, BackupRow backup) {
        TimelineId timeline = backup.endTimeline().orElseThrow();
        Optional<TimelineHistory> history = catalog.timelines().history(cluster, timeline);
        if (history.isEmpty() && !timeline.equals(TimelineId.of(1))) {
            // Without the timeline's history its path is unknown: timeline 1's WAL past the fork
            // point would look like coverage, but it is another history.
            return BackupStatus.WAITING_FOR_WAL;
        }
        TimelineHistory path = history.orElse(TimelineHistory.initial());
        boolean covered = catalog.wal().walCoverage(cluster, path, backup.startLsn(), backup.endLsn().orElseThrow())
                .isComplete();
        return covered ? BackupStatus.COMPLETE : BackupStatus.WAITING_FOR_WAL;
    }

    /** Re-checks every backup of the cluster that waits for WAL; returns those now complete. */
    public List<BackupRow> refresh(String cluster) {
        List<BackupRow> waiting = catalog.backups().list(cluster, Set.of(BackupStatus.WAITING_FOR_WAL));
        List<BackupRow> done = new java.util.ArrayList<>();
        for (BackupRow row : waiting) {
            if (statusOf(cluster, row) == BackupStatus.COMPLETE) {
                BackupRow complete = withStatus(row, BackupStatus.COMPLETE);
                catalog.backups().save(complete, catalog.backups().databases(row.id()),
                        catalog.backups().tablespaces(row.id()));
                done.add(complete);
            }
        }
        return done;
    }

    static BackupRow withStatus(BackupRow r, BackupStatus status) {
        return new BackupRow(r.id(), r.cluster(), r.kind(), r.parentId(), r.label(), r.startLsn(), r.startTimeline(),
                r.endLsn(), r.endTimeline(), r.checkpointLsn(), r.startTime(), r.endTime(), r.pgVersion(), r.backupFrom(),
                r.logicalSize(), r.storedSize(), status, r.failureMessage(), r.pinnedUntil(), r.pinnedForever());
    }
}
