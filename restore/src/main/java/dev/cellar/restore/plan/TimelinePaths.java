package dev.cellar.restore.plan;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.WalCoverage;
import dev.cellar.catalog.WalCoveragePlanner;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import java.util.List;
import java.util.Optional;

/** What lies on one timeline path: which backups, how far the archived WAL reaches. Pure. */
final class TimelinePaths {
    private TimelinePaths() {
    }

    /** Whether position {@code lsn} of timeline {@code timeline} is on {@code path}. */
    static boolean onPath(TimelineHistory path, TimelineId timeline, Lsn lsn) {
        if (!path.contains(timeline)) {
            return false;
        }
        Optional<Lsn> switchPoint = path.switchPointOf(timeline);
        return switchPoint.isEmpty() || !lsn.isAfter(switchPoint.get());
    }

    /** Whether a complete backup's start and consistency point both lie on {@code path}. */
    static boolean onPath(TimelineHistory path, BackupRow backup) {
        return backup.endLsn().isPresent()
                && onPath(path, backup.startTimeline(), backup.startLsn())
                && onPath(path, backup.endTimeline().orElseThrow(), backup.endLsn().orElseThrow());
    }

    /** The furthest position the archived WAL of the path's timelines holds along it; 0/0 if none. */
    static Lsn walEnd(TimelineHistory path, List<WalSegmentRow> wal) {
        Lsn end = Lsn.ZERO;
        for (WalSegmentRow row : wal) {
            TimelineId timeline = row.segment().timeline();
            if (!path.contains(timeline)) {
                continue;
            }
            Lsn held = row.end();
            Optional<Lsn> switchPoint = path.switchPointOf(timeline);
            if (switchPoint.isPresent()) {
                held = Lsn.min(held, switchPoint.get());
            }
            end = Lsn.max(end, held);
        }
        return end;
    }

    /** How far WAL runs without a gap along {@code path} from {@code from}: {@code from} itself if its file is missing. */
    static Lsn contiguousEnd(TimelineHistory path, RestoreFacts facts, Lsn from) {
        Lsn end = walEnd(path, facts.wal());
        if (!end.isAfter(from)) {
            return from;
        }
        WalCoverage coverage = WalCoveragePlanner.plan(path, facts.segmentSize(), from, end, facts.wal());
        return coverage.gaps().isEmpty() ? end : Lsn.max(from, coverage.gaps().getFirst().from());
    }
}
