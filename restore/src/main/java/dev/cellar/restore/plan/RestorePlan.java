package dev.cellar.restore.plan;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A restore that will work: the backups to unpack, the WAL to stage, the timeline path and the
 * recovery settings that take PostgreSQL exactly to the target.
 *
 * @param cluster   the cluster restored
 * @param target    what was asked for
 * @param chain     the backups to combine, the full one first and the chosen one last; copied
 * @param path      the history of the timeline recovery follows (written as a number)
 * @param walFrom   where replay begins: the chosen backup's start
 * @param walTo     how far the staged WAL must reach: at least the backup's consistency point,
 *                  and the stop record's end or the end of the archived WAL
 * @param wal       the WAL files to stage, in replay order; copied
 * @param histories the history files to stage: every one the repository holds, so that the
 *                  promoted server picks a timeline number the cluster has not used; copied
 * @param stop      the record recovery stops at, for time, xid and name targets
 * @param notes     things the user should know, in plain words; copied
 */
public record RestorePlan(String cluster, RestoreTarget target, List<BackupRow> chain, TimelineHistory path,
                          Lsn walFrom, Lsn walTo, List<WalSegmentRow> wal, List<TimelineHistory> histories,
                          Optional<StopRecord> stop, List<String> notes) {
    public RestorePlan {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(target, "target");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a plan restores at least one backup");
        }
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(walFrom, "walFrom");
        Objects.requireNonNull(walTo, "walTo");
        wal = List.copyOf(wal);
        histories = List.copyOf(histories);
        Objects.requireNonNull(stop, "stop");
        notes = List.copyOf(notes);
    }

    /** The backup whose state recovery starts from (the last of the chain). */
    public BackupRow backup() {
        return chain.getLast();
    }

    /** Bytes of WAL staged (uncompressed). */
    public long walBytes() {
        return wal.stream().mapToLong(WalSegmentRow::size).sum();
    }

    /**
     * About how many bytes the data directory will hold: the full backup's files, plus what each
     * incremental brings; an upper bound for chains (an incremental replaces blocks, it rarely adds).
     */
    public long dataBytes() {
        return chain.stream().mapToLong(BackupRow::logicalSize).sum();
    }
}
