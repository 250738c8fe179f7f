package dev.cellar.server.view;

import dev.cellar.catalog.BackupRow;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One backup, as listed.
 *
 * @param parent      the backup an incremental one builds on; {@code null} for a full one
 * @param status      running, waiting_for_wal, complete, failed or incomplete
 * @param restorable  complete: its data and the WAL to make it consistent are in the repository
 * @param timeline    the timeline its consistency point is on
 * @param seconds     how long it took, once it ended
 * @param keepUntil   a person asked to keep it until then
 * @param keepForever a person asked to keep it for ever
 */
public record BackupView(String id, String cluster, String kind, String parent, String status, boolean restorable,
                         Instant startTime, Instant endTime, Double seconds, String startLsn, String endLsn,
                         long timeline, int pgVersion, String backupFrom, long logicalBytes, long storedBytes,
                         String failure, Instant keepUntil, boolean keepForever) {

    public static BackupView of(BackupRow b) {
        return new BackupView(b.id(), b.cluster(), lower(b.kind()), b.parentId().orElse(null), lower(b.status()),
                b.isRestorable(), b.startTime(), b.endTime().orElse(null),
                b.endTime().map(end -> Duration.between(b.startTime(), end).toMillis() / 1000.0).orElse(null),
                b.startLsn().toString(), b.endLsn().map(Object::toString).orElse(null),
                b.endTimeline().orElse(b.startTimeline()).value(), b.pgVersion(), lower(b.backupFrom()),
                b.logicalSize(), b.storedSize(), b.failureMessage().orElse(null), b.pinnedUntil().orElse(null),
                b.pinnedForever());
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
