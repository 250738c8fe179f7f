package dev.cellar.storage.repository;

/**
 * A backup directory found in the repository, in one of three states. Only {@link Complete}
 * backups may ever be offered for restore.
 */
public sealed interface BackupListing {
    String cluster();

    String id();

    /** {@code backup.json} exists and verifies. */
    record Complete(String cluster, String id, BackupInfo info) implements BackupListing {
    }

    /** No {@code backup.json}: the backup was interrupted, or is being written right now. */
    record Incomplete(String cluster, String id) implements BackupListing {
    }

    /** {@code backup.json} exists but is damaged (checksum, truncation, newer format). */
    record Damaged(String cluster, String id, String problem) implements BackupListing {
    }
}
