package dev.cellar.server.daemon;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.JobOutcome;
import java.util.Optional;

/** Told how each backup job of the server ended, for metrics. Called on the job's thread; must not block. */
interface BackupListener {
    /**
     * @param backup the backup taken, when the outcome is {@link JobOutcome#SUCCEEDED}
     */
    void finished(String cluster, JobOutcome outcome, Optional<BackupRow> backup);

    BackupListener NONE = (cluster, outcome, backup) -> { };
}
