package dev.cellar.catalog;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.util.Objects;
import java.util.Optional;

/**
 * A timeline of a cluster and where it branched off its parent.
 *
 * <p>Immutable and thread-safe. No component is {@code null}; absent values are empty.
 *
 * @param cluster       the cluster's name
 * @param timeline      the timeline
 * @param parent        the timeline it branched off; empty exactly for timeline 1
 * @param switchLsn     the first LSN of this timeline, where its parent ended on this branch (the
 *                      last line of its history file); empty exactly for timeline 1
 * @param historySha256 SHA-256 of its {@code .history} file as stored, when Cellar has the file;
 *                      empty for timeline 1 (which has none) and for ancestors known only from a
 *                      descendant's history
 */
public record TimelineRow(String cluster, TimelineId timeline, Optional<TimelineId> parent, Optional<Lsn> switchLsn,
                          Optional<String> historySha256) {
    public TimelineRow {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(switchLsn, "switchLsn");
        RowChecks.sha256("history checksum", historySha256);
        boolean initial = timeline.equals(TimelineId.INITIAL);
        if (parent.isPresent() == initial || switchLsn.isPresent() == initial) {
            throw RowChecks.invalid("timeline %s of cluster %s: %s".formatted(timeline, cluster,
                    initial ? "timeline 1 has no parent" : "a parent and a switch LSN are required"));
        }
        if (parent.isPresent() && !parent.get().isBefore(timeline)) {
            throw RowChecks.invalid("timeline %s of cluster %s: parent %s must be lower"
                    .formatted(timeline, cluster, parent.get()));
        }
        if (initial && historySha256.isPresent()) {
            throw RowChecks.invalid("timeline 1 of cluster %s has no history file, so no history checksum"
                    .formatted(cluster));
        }
    }
}
