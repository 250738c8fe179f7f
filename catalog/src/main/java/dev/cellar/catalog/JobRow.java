package dev.cellar.catalog;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One run of a scheduled or requested job (a backup, retention, an offsite sync…).
 *
 * <p>Immutable and thread-safe. No component is {@code null}; absent values are empty. Times are
 * kept to the microsecond.
 *
 * @param id        the catalog's key, increasing with each job
 * @param cluster   the cluster's name; empty for a job of the whole server
 * @param type      what the job does, such as {@code full-backup}
 * @param startedAt when it started
 * @param endedAt   when it ended; empty exactly while it is {@link JobOutcome#RUNNING}
 * @param outcome   how it ended
 * @param message   what to tell people about it, if anything
 */
public record JobRow(long id, Optional<String> cluster, String type, Instant startedAt, Optional<Instant> endedAt,
                     JobOutcome outcome, Optional<String> message) {
    public JobRow {
        Objects.requireNonNull(cluster, "cluster");
        RowChecks.notBlank("job type", type);
        startedAt = Columns.truncate(Objects.requireNonNull(startedAt, "startedAt"));
        endedAt = Objects.requireNonNull(endedAt, "endedAt").map(Columns::truncate);
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
        if (endedAt.isPresent() == (outcome == JobOutcome.RUNNING)) {
            throw RowChecks.invalid("job %d: a running job has no end time, and an ended one has one".formatted(id));
        }
    }
}
