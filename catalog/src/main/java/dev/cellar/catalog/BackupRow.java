package dev.cellar.catalog;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A base backup of a cluster, as catalogued. Its databases and tablespaces are separate
 * ({@link BackupQueries#databases}, {@link BackupQueries#tablespaces}).
 *
 * <p>Immutable and thread-safe. No component is {@code null}; absent values are empty. Times are
 * kept to the microsecond.
 *
 * @param id             the backup's ID, such as {@code 20261121T064300Z-F}
 * @param cluster        the cluster's name
 * @param kind           full or incremental
 * @param parentId       the backup an incremental one is based on; present exactly for incremental backups
 * @param label          the label given to {@code BASE_BACKUP}
 * @param startLsn       where the backup began (its {@code START WAL LOCATION})
 * @param startTimeline  the timeline it began on
 * @param endLsn         its consistency point: recovery must replay WAL at least to here; present
 *                       once the backup's data is stored
 * @param endTimeline    the timeline of {@code endLsn}; present exactly when {@code endLsn} is
 * @param checkpointLsn  the redo checkpoint it began from, when known
 * @param startTime      when it began
 * @param endTime        when it ended, once it has
 * @param pgVersion      the server's {@code server_version_num}, such as 170002
 * @param backupFrom     the server it was taken from
 * @param logicalSize    uncompressed bytes stored so far
 * @param storedSize     bytes as stored so far
 * @param status         where it is in its life
 * @param failureMessage why it failed, when it did
 * @param pinnedUntil    retention keeps it at least until then, when set
 * @param pinnedForever  retention never removes it
 */
public record BackupRow(String id, String cluster, BackupKind kind, Optional<String> parentId, String label,
                        Lsn startLsn, TimelineId startTimeline, Optional<Lsn> endLsn, Optional<TimelineId> endTimeline,
                        Optional<Lsn> checkpointLsn, Instant startTime, Optional<Instant> endTime, int pgVersion,
                        BackupOrigin backupFrom, long logicalSize, long storedSize, BackupStatus status,
                        Optional<String> failureMessage, Optional<Instant> pinnedUntil, boolean pinnedForever) {

    public BackupRow {
        RowChecks.notBlank("backup ID", id);
        RowChecks.notBlank("cluster name", cluster);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(parentId, "parentId");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(startLsn, "startLsn");
        Objects.requireNonNull(startTimeline, "startTimeline");
        Objects.requireNonNull(endLsn, "endLsn");
        Objects.requireNonNull(endTimeline, "endTimeline");
        Objects.requireNonNull(checkpointLsn, "checkpointLsn");
        startTime = Columns.truncate(Objects.requireNonNull(startTime, "startTime"));
        endTime = Objects.requireNonNull(endTime, "endTime").map(Columns::truncate);
        Objects.requireNonNull(backupFrom, "backupFrom");
        RowChecks.notNegative("logical size of backup " + id, logicalSize);
        RowChecks.notNegative("stored size of backup " + id, storedSize);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(failureMessage, "failureMessage");
        pinnedUntil = Objects.requireNonNull(pinnedUntil, "pinnedUntil").map(Columns::truncate);
        if (parentId.isPresent() != (kind == BackupKind.INCREMENTAL)) {
            throw RowChecks.invalid("backup %s: %s".formatted(id, kind == BackupKind.INCREMENTAL
                    ? "an incremental backup needs a parent" : "a full backup has no parent"));
        }
        if (parentId.isPresent() && parentId.get().equals(id)) {
            throw RowChecks.invalid("backup %s cannot be its own parent".formatted(id));
        }
        if (endLsn.isPresent() != endTimeline.isPresent()) {
            throw RowChecks.invalid("backup %s: an end LSN and an end timeline go together".formatted(id));
        }
        if (endLsn.isPresent() && endLsn.get().isBefore(startLsn)) {
            throw RowChecks.invalid("backup %s ends at %s, before its start %s".formatted(id, endLsn.get(), startLsn));
        }
        if (status == BackupStatus.COMPLETE && (endLsn.isEmpty() || endTime.isEmpty())) {
            throw RowChecks.invalid("backup %s is complete, so it needs an end LSN, timeline and time".formatted(id));
        }
        if (pgVersion < 1) {
            throw RowChecks.invalid("backup %s: invalid server_version_num %d".formatted(id, pgVersion));
        }
    }

    /** Whether it may be offered for restore: only a {@link BackupStatus#COMPLETE} backup may. */
    public boolean isRestorable() {
        return status == BackupStatus.COMPLETE;
    }

    /** Whether retention must keep it at {@code now}. */
    public boolean isPinned(Instant now) {
        return pinnedForever || pinnedUntil.map(now::isBefore).orElse(false);
    }
}
