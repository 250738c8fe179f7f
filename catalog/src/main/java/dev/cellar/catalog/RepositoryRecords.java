package dev.cellar.catalog;

import dev.cellar.core.Lsn;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.StoredWal;
import dev.cellar.storage.repository.WalGap;
import java.util.List;
import java.util.Optional;

/**
 * The one mapping from what the repository holds to catalog rows. The live server records rows
 * through it as it writes, and {@link Catalog#rebuildFrom} records rows through it from the
 * repository alone, so a rebuilt catalog equals the live one row for row. Pure, thread-safe.
 */
public final class RepositoryRecords {
    private RepositoryRecords() {
    }

    /**
     * The row of a stored WAL segment.
     *
     * @param object the verified record of the object (sizes and both checksums)
     * @param local  whether the local repository holds it
     * @param offsite whether the offsite copy holds it
     */
    public static WalSegmentRow walSegment(StoredWal wal, StoredObject object, boolean local, boolean offsite) {
        Lsn end = wal.partial() ? wal.segment().startLsn().plus(object.logicalSize()) : wal.segment().endLsn();
        return new WalSegmentRow(wal.cluster(), wal.segment(), wal.partial(), end, object.logicalSize(),
                object.logicalSha256(), object.storedSize(), object.storedSha256(), wal.name().codecName(),
                wal.key().value(), local, offsite, wal.storedAt());
    }

    /** The range of a recorded gap. */
    public static LsnRange gapRange(WalGap gap) {
        return new LsnRange(gap.timeline(), gap.from(), gap.to());
    }

    /**
     * The row of a committed backup; {@code status} is {@code complete} when the WAL from its start
     * to its end is in the repository, else {@code waiting_for_wal} (the caller checks coverage).
     */
    public static BackupRow backup(BackupInfo info, BackupStatus status) {
        return new BackupRow(info.id(), info.cluster(),
                info.kind() == BackupInfo.Kind.FULL ? BackupKind.FULL : BackupKind.INCREMENTAL,
                Optional.ofNullable(info.parent()), info.label() == null ? "" : info.label(),
                info.startLsn(), info.startTimeline(), Optional.of(info.endLsn()), Optional.of(info.endTimeline()),
                Optional.ofNullable(info.checkpointLsn()), info.startTime(), Optional.ofNullable(info.endTime()),
                info.serverVersionNum(),
                info.backupFrom() == BackupInfo.Source.STANDBY ? BackupOrigin.STANDBY : BackupOrigin.PRIMARY,
                info.logicalSize(), info.storedSize(), status, Optional.empty(), Optional.empty(), false);
    }

    public static List<BackupDatabase> databases(BackupInfo info) {
        return info.databases().stream().map(d -> new BackupDatabase(d.oid(), d.name())).toList();
    }

    public static List<BackupTablespace> tablespaces(BackupInfo info) {
        return info.tablespaces().stream().map(t -> new BackupTablespace(t.oid(), t.name(), t.location())).toList();
    }
}
