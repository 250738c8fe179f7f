package dev.cellar.catalog;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import java.util.Objects;

/**
 * The span of a timeline's archived WAL: its first and last catalogued segment. Says nothing about
 * holes in between; {@link WalQueries#walCoverage} finds those.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param first    the lowest catalogued segment of the timeline
 * @param last     the highest catalogued segment of the timeline
 * @param end      the exclusive end of the WAL in the last segment: its end, or the end of its
 *                 partial file when only that is catalogued
 * @param segments how many segment numbers of the timeline have a file
 */
public record TimelineWalExtent(WalSegmentName first, WalSegmentName last, Lsn end, long segments) {
    public TimelineWalExtent {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(last, "last");
        Objects.requireNonNull(end, "end");
        if (!first.timeline().equals(last.timeline())) {
            throw new IllegalArgumentException("first segment %s and last segment %s are on different timelines"
                    .formatted(first, last));
        }
    }

    /** The timeline. */
    public TimelineId timeline() {
        return first.timeline();
    }
}
