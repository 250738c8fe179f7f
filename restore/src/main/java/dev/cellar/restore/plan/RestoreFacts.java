package dev.cellar.restore.plan;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.WalSegmentSize;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything a restore plan is made from: what the catalog (or a catalog rebuilt from the bare
 * repository) knows about one cluster, and the time. Plain values, so planning is pure.
 *
 * @param cluster     the cluster's name
 * @param segmentSize its WAL segment size
 * @param backups     its backups, in any order and any status; copied
 * @param histories   the timeline histories in the repository (timeline 1 needs none); copied
 * @param wal         the archived WAL files; copied
 * @param now         the present, for refusing targets in the future
 */
public record RestoreFacts(String cluster, WalSegmentSize segmentSize, List<BackupRow> backups,
                           List<TimelineHistory> histories, List<WalSegmentRow> wal, Instant now) {
    public RestoreFacts {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(segmentSize, "segmentSize");
        backups = List.copyOf(backups);
        histories = List.copyOf(histories);
        wal = List.copyOf(wal);
        Objects.requireNonNull(now, "now");
    }
}
