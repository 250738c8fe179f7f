package dev.cellar.catalog;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One verification restore: a backup restored to a scratch directory, started, and checked.
 *
 * <p>Immutable and thread-safe. No component is {@code null}; absent values are empty. Times are
 * kept to the microsecond.
 *
 * @param id        the catalog's key, increasing with each verification
 * @param cluster   the cluster's name
 * @param backupId  the backup restored; empty if it has been deleted since (the history stays)
 * @param startedAt when it started
 * @param endedAt   when it ended; empty exactly while it is {@link VerificationOutcome#RUNNING}
 * @param target    the recovery target it restored to, as people write it ({@code latest},
 *                  {@code time 2026-11-21 06:43:00+00}, …)
 * @param outcome   how it ended
 * @param message   a one-line summary, if any
 * @param details   the checks and their results as a JSON document, if any
 */
public record VerificationRow(long id, String cluster, Optional<String> backupId, Instant startedAt,
                              Optional<Instant> endedAt, String target, VerificationOutcome outcome,
                              Optional<String> message, Optional<String> details) {
    public VerificationRow {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(backupId, "backupId");
        startedAt = Columns.truncate(Objects.requireNonNull(startedAt, "startedAt"));
        endedAt = Objects.requireNonNull(endedAt, "endedAt").map(Columns::truncate);
        RowChecks.notBlank("verification target", target);
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(details, "details");
        if (endedAt.isPresent() == (outcome == VerificationOutcome.RUNNING)) {
            throw RowChecks.invalid(
                    "verification %d: a running verification has no end time, and an ended one has one".formatted(id));
        }
    }
}
