package dev.cellar.catalog;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses the WAL files that replay a range of positions along a timeline path, the way PostgreSQL
 * recovery chooses them, and names what is missing. Pure: no I/O, no SQL, no clock.
 *
 * <p>For each segment number from the one holding {@code from} through the one holding the byte
 * before {@code to}, the file is read from the <em>newest</em> timeline of the path that had
 * begun by that segment (whose first LSN lies in that segment or an earlier one), as
 * {@code XLogFileReadAnyTLI} tries them. So the segment holding a switch point is read from the
 * child timeline's file, which starts with the parent's bytes up to the switch. Within that file,
 * only the needed part of the segment counts: {@code [max(from, segment start), min(to, segment end))}.
 *
 * <p>A complete file is preferred to a {@code .partial} one of the same segment; a partial file
 * holds only {@code [segment start, end)}, so WAL after its end is reported missing. The planner is
 * conservative where PostgreSQL is lenient: when the newest timeline's file is missing, recovery
 * would also try an older timeline's file of the same name, whose bytes are right only up to the
 * switch point; the planner reports the gap instead.
 *
 * <p>Stateless and thread-safe. Arguments must not be {@code null}.
 */
public final class WalCoveragePlanner {

    /**
     * Segments {@code firstSegment..lastSegment} (inclusive) are read from {@code timeline}'s files.
     *
     * @param timeline     the timeline whose files are read
     * @param firstSegment the first segment number
     * @param lastSegment  the last segment number, at least {@code firstSegment}
     */
    public record Stretch(TimelineId timeline, long firstSegment, long lastSegment) {
        public Stretch {
            Objects.requireNonNull(timeline, "timeline");
            if (firstSegment < 0 || lastSegment < firstSegment) {
                throw new IllegalArgumentException("invalid segment stretch %d..%d of timeline %s"
                        .formatted(firstSegment, lastSegment, timeline));
            }
        }
    }

    private record SegmentKey(TimelineId timeline, long segmentNumber) {
    }

    private WalCoveragePlanner() {
    }

    /**
     * Which timeline's files hold each segment of {@code [from, to)} along {@code path}: consecutive,
     * non-overlapping stretches in segment order; empty when {@code from} equals {@code to}.
     *
     * @throws IllegalArgumentException if {@code to} is before {@code from}
     */
    public static List<Stretch> stretches(TimelineHistory path, WalSegmentSize size, Lsn from, Lsn to) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(size, "size");
        checkRange(from, to);
        if (from.equals(to)) {
            return List.of();
        }
        long first = from.segmentNumber(size);
        long last = Lsn.of(to.value() - 1).segmentNumber(size);
        List<TimelineHistory.Span> spans = path.path();
        List<Stretch> stretches = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            // Span i serves from the segment its timeline began in up to the one before the segment
            // the next timeline began in; when both begin in one segment, it serves none.
            long spanFirst = spans.get(i).begin().segmentNumber(size);
            long spanLast = i + 1 < spans.size()
                    ? spans.get(i + 1).begin().segmentNumber(size) - 1
                    : Long.MAX_VALUE;
            long stretchFirst = Math.max(first, spanFirst);
            long stretchLast = Math.min(last, spanLast);
            if (stretchFirst <= stretchLast) {
                stretches.add(new Stretch(spans.get(i).timeline(), stretchFirst, stretchLast));
            }
        }
        return List.copyOf(stretches);
    }

    /**
     * The files among {@code available} that replay {@code [from, to)} along {@code path}, and the
     * stretches none of them holds. Files of other timelines or segments are ignored.
     *
     * @param available catalogued files of the cluster (any subset that includes the needed ones)
     * @throws IllegalArgumentException if {@code to} is before {@code from}, or a file has another segment size
     */
    public static WalCoverage plan(TimelineHistory path, WalSegmentSize size, Lsn from, Lsn to,
                                   Collection<WalSegmentRow> available) {
        List<Stretch> stretches = stretches(path, size, from, to);
        Map<SegmentKey, WalSegmentRow> files = bestFilePerSegment(size, available);
        List<WalSegmentRow> segments = new ArrayList<>();
        List<LsnRange> gaps = new ArrayList<>();
        for (Stretch stretch : stretches) {
            for (long number = stretch.firstSegment(); number <= stretch.lastSegment(); number++) {
                WalSegmentName name = new WalSegmentName(stretch.timeline(), number, size);
                Lsn needFrom = Lsn.max(from, name.startLsn());
                Lsn needTo = Lsn.min(to, name.endLsn());
                WalSegmentRow file = files.get(new SegmentKey(stretch.timeline(), number));
                if (file == null || !file.end().isAfter(needFrom)) {
                    addGap(gaps, new LsnRange(stretch.timeline(), needFrom, needTo));
                    continue;
                }
                segments.add(file);
                if (file.end().isBefore(needTo)) {
                    addGap(gaps, new LsnRange(stretch.timeline(), file.end(), needTo));
                }
            }
        }
        return new WalCoverage(from, to, segments, gaps);
    }

    private static Map<SegmentKey, WalSegmentRow> bestFilePerSegment(WalSegmentSize size,
                                                                      Collection<WalSegmentRow> available) {
        Map<SegmentKey, WalSegmentRow> files = new HashMap<>();
        for (WalSegmentRow row : available) {
            if (!row.segment().size().equals(size)) {
                throw new IllegalArgumentException("WAL file %s of cluster %s has %s segments, not %s"
                        .formatted(row.fileName(), row.cluster(), row.segment().size(), size));
            }
            files.merge(new SegmentKey(row.segment().timeline(), row.segment().segmentNumber()), row,
                    WalCoveragePlanner::holdingMore);
        }
        return files;
    }

    // A complete file holds everything a partial one of the same segment holds, and more.
    private static WalSegmentRow holdingMore(WalSegmentRow a, WalSegmentRow b) {
        return b.end().isAfter(a.end()) ? b : a;
    }

    private static void addGap(List<LsnRange> gaps, LsnRange gap) {
        if (!gaps.isEmpty()) {
            LsnRange last = gaps.getLast();
            if (last.timeline().equals(gap.timeline()) && last.to().equals(gap.from())) {
                gaps.set(gaps.size() - 1, new LsnRange(gap.timeline(), last.from(), gap.to()));
                return;
            }
        }
        gaps.add(gap);
    }

    private static void checkRange(Lsn from, Lsn to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("WAL range end %s is before its start %s".formatted(to, from));
        }
    }
}
