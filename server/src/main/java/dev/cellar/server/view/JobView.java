package dev.cellar.server.view;

import dev.cellar.catalog.JobRow;
import java.time.Instant;
import java.util.Locale;

/**
 * A job the server ran or runs (a backup, a restore, ...).
 *
 * @param outcome   running, succeeded, failed, skipped or cancelled
 * @param message   what it did or why it failed
 * @param progress  how far it got, while a restore runs; otherwise {@code null}
 * @param restore   a restore's plan and, once it succeeded, its result; {@code null} for other jobs
 *                  and for restores of an earlier server process
 * @param errorCode the error's code (docs/errors.md) when it failed, if this server process ran it
 * @param hint      what to do about that error
 */
public record JobView(long id, String cluster, String type, String outcome, Instant startedAt, Instant endedAt,
                      String message, JobProgressView progress, RestoreReport restore, Integer errorCode,
                      String hint) {

    public static JobView of(JobRow job) {
        return new JobView(job.id(), job.cluster().orElse(null), job.type(),
                job.outcome().name().toLowerCase(Locale.ROOT), job.startedAt(), job.endedAt().orElse(null),
                job.message().orElse(null), null, null, null, null);
    }

    /** This job with what the server knows of it beyond the catalog's row. */
    public JobView with(JobProgressView progress, RestoreReport restore, Integer errorCode, String hint) {
        return new JobView(id, cluster, type, outcome, startedAt, endedAt, message, progress, restore, errorCode,
                hint);
    }

    public boolean running() {
        return "running".equals(outcome);
    }
}
