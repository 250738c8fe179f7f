package dev.cellar.core.backup;

/**
 * Where a base backup was taken: the {@code BACKUP FROM} line of its backup_label
 * ({@code started_in_recovery} in xlogbackup.c).
 */
public enum BackupSource {
    PRIMARY("primary"),
    STANDBY("standby");

    private final String labelText;

    BackupSource(String labelText) {
        this.labelText = labelText;
    }

    /** The word PostgreSQL writes: {@code primary} or {@code standby}. */
    public String labelText() {
        return labelText;
    }
}
