package dev.cellar.catalog;

import java.util.List;

/**
 * The backups a restore of an incremental backup needs: its full backup, then each incremental
 * on the way, ending with the backup itself. A full backup's chain is the backup alone.
 *
 * <p>Immutable and thread-safe. No backup is {@code null}.
 *
 * @param backups full backup first, the requested backup last; never empty; copied
 */
public record BackupChain(List<BackupRow> backups) {
    public BackupChain {
        backups = List.copyOf(backups);
        if (backups.isEmpty() || backups.getFirst().kind() != BackupKind.FULL) {
            throw new IllegalArgumentException("a backup chain begins with a full backup");
        }
    }

    /** The full backup the chain starts from. */
    public BackupRow full() {
        return backups.getFirst();
    }

    /** The backup the chain was built for. */
    public BackupRow target() {
        return backups.getLast();
    }

    /** Whether every backup of the chain is restorable, so that the chain as a whole is. */
    public boolean isRestorable() {
        return backups.stream().allMatch(BackupRow::isRestorable);
    }
}
