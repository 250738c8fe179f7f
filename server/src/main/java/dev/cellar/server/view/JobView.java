package dev.cellar.server.view;

import dev.cellar.catalog.JobRow;
import java.time.Instant;
import java.util.Locale;

/**
 * A job the server ran or runs (a backup, ...).
 *
 * @param outcome running, succeeded, failed, skipped or cancelled
 * @param message what it did or why it failed
 */
public record JobView(long id, String cluster, String type, String outcome, Instant startedAt, Instant endedAt,
                      String message) {

    public static JobView of(JobRow job) {
        return new JobView(job.id(), job.cluster().orElse(null), job.type(),
                job.outcome().name().toLowerCase(Locale.ROOT), job.startedAt(), job.endedAt().orElse(null),
                job.message().orElse(null));
    }

    public boolean running() {
        return "running".equals(outcome);
    }
}
