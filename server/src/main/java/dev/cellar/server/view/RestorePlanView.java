package dev.cellar.server.view;

import dev.cellar.catalog.BackupRow;
import dev.cellar.core.TimelineHistory;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestorePlanner;
import dev.cellar.restore.plan.StopRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A restore plan, checked before anything is written (docs/restore.md, "Planning").
 *
 * @param target        where recovery stops, in words
 * @param inclusive     whether the stop point itself is replayed
 * @param action        what the server does there ({@code recovery_target_action})
 * @param readings      how the request was read (a time without offset, and in which zone)
 * @param backups       the chain restored, the full backup first
 * @param backupKind    full or incremental: the last backup of the chain
 * @param backupEndTime when the last backup ended
 * @param backupEndLsn  its consistency point
 * @param backupTimeline the timeline of its consistency point
 * @param timeline      the timeline recovery follows
 * @param timelinePath  the timelines on the way there, oldest first
 * @param stop          the record recovery stops at, in words, for time, xid and name targets
 * @param dataBytes     about how many bytes of data files are written
 */
public record RestorePlanView(String cluster, String target, boolean inclusive, String action, List<String> readings,
                              List<String> backups, String backupKind, Instant backupEndTime, String backupEndLsn,
                              Long backupTimeline, long timeline, List<Long> timelinePath, String walFrom,
                              String walTo, int walFiles, long walBytes, long dataBytes, String stop,
                              List<String> notes) {

    public static RestorePlanView of(RestorePlan plan, List<String> readings) {
        BackupRow backup = plan.backup();
        return new RestorePlanView(plan.cluster(), RestorePlanner.describeTarget(plan.target().target()),
                plan.target().inclusive(), plan.target().action().setting(), List.copyOf(readings),
                plan.chain().stream().map(BackupRow::id).toList(), backup.kind().name().toLowerCase(Locale.ROOT),
                backup.endTime().orElse(null), backup.endLsn().map(Object::toString).orElse(null),
                backup.endTimeline().map(t -> t.value()).orElse(null), plan.path().timeline().value(),
                plan.path().path().stream().map(TimelineHistory.Span::timeline).map(t -> t.value()).toList(),
                plan.walFrom().toString(), plan.walTo().toString(), plan.wal().size(), plan.walBytes(),
                plan.dataBytes(), plan.stop().map(StopRecord::description).orElse(null), plan.notes());
    }

    /** The same plan with more readings first: what the CLI read before it asked the server. */
    public RestorePlanView withReadingsFirst(List<String> first) {
        List<String> all = new ArrayList<>(first);
        all.addAll(readings == null ? List.of() : readings);
        return new RestorePlanView(cluster, target, inclusive, action, all, backups, backupKind, backupEndTime,
                backupEndLsn, backupTimeline, timeline, timelinePath, walFrom, walTo, walFiles, walBytes, dataBytes,
                stop, notes);
    }
}
