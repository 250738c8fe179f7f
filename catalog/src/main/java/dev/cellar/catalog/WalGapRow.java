package dev.cellar.catalog;

import java.time.Instant;
import java.util.Objects;

/**
 * WAL a cluster's server no longer had when Cellar asked for it (a slot lost in a failover,
 * WAL recycled): recorded so that status, metrics and restores never pretend the window is whole.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param id         the catalog's key
 * @param cluster    the cluster's name
 * @param range      the missing positions and their timeline
 * @param detectedAt when Cellar noticed, to the microsecond
 * @param reason     what happened, for people
 */
public record WalGapRow(long id, String cluster, LsnRange range, Instant detectedAt, String reason) {
    public WalGapRow {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(range, "range");
        detectedAt = Columns.truncate(Objects.requireNonNull(detectedAt, "detectedAt"));
        Objects.requireNonNull(reason, "reason");
    }
}
