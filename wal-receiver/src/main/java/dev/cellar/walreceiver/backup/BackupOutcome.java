package dev.cellar.walreceiver.backup;

import dev.cellar.storage.repository.BackupInfo;
import java.util.List;
import java.util.Objects;

/**
 * A committed backup and what the caller should know about how it was taken.
 *
 * @param notes things a DBA should read: a full backup taken instead of an incremental one and
 *              why, WARNINGs the server sent
 */
public record BackupOutcome(BackupInfo backup, List<String> notes) {
    public BackupOutcome {
        Objects.requireNonNull(backup, "backup");
        notes = List.copyOf(notes);
    }
}
