package dev.cellar.catalog;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.util.Objects;

/**
 * The WAL positions {@code [from, to)} on one timeline, such as a stretch of missing WAL.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param timeline the timeline the positions are read from
 * @param from     the first position
 * @param to       the exclusive end, after {@code from}
 */
public record LsnRange(TimelineId timeline, Lsn from, Lsn to) {
    public LsnRange {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!to.isAfter(from)) {
            throw RowChecks.invalid("invalid LSN range %s..%s on timeline %s: the end must be after the start"
                    .formatted(from, to, timeline));
        }
    }

    /** How many bytes of WAL the range spans. */
    public long bytes() {
        return to.minus(from);
    }

    /** {@code 0/5000000..0/7000000 on timeline 2}. */
    @Override
    public String toString() {
        return "%s..%s on timeline %s".formatted(from, to, timeline);
    }
}
