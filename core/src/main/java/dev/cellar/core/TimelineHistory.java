package dev.cellar.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The ancestry of a timeline, as its {@code .history} file records it: for each ancestor, oldest
 * first, the LSN at which the next timeline branched off it ({@code readTimeLineHistory} in
 * timeline.c).
 *
 * <p>Rules, checked on construction: timeline 1 has no entries and every later timeline has at
 * least one; parents strictly increase and are all below {@link #timeline()}; switch points never
 * decrease. (PostgreSQL itself checks only the first two; a decreasing switch point cannot come
 * from a server and is refused as corruption.)
 *
 * <p>Immutable and thread-safe. No method accepts or returns {@code null}.
 *
 * @param timeline the timeline the history leads to
 * @param entries  its ancestors, oldest first; copied
 */
public record TimelineHistory(TimelineId timeline, List<Entry> entries) {

    /**
     * One line of a history file: timeline {@code parent} ended at {@code switchPoint} and the
     * next timeline on the path began there.
     *
     * @param parent      the ancestor timeline
     * @param switchPoint the first LSN that is no longer on {@code parent} along this path
     * @param reason      the server's free-text reason, such as {@code no recovery target specified};
     *                    may be empty, never contains a line break
     */
    public record Entry(TimelineId parent, Lsn switchPoint, String reason) {
        public Entry {
            Objects.requireNonNull(parent, "parent");
            Objects.requireNonNull(switchPoint, "switchPoint");
            Objects.requireNonNull(reason, "reason");
            if (reason.indexOf('\n') >= 0) {
                throw new CellarException(ErrorCode.INVALID_VALUE,
                        "invalid timeline history reason \"%s\": it must not contain a line break"
                                .formatted(reason.replace("\n", "\\n")));
            }
        }
    }

    /**
     * A stretch of the path: WAL in {@code [begin, end)} is read from {@code timeline}.
     *
     * @param timeline the timeline to read from
     * @param begin    the first LSN of the stretch ({@code 0/0} for the oldest)
     * @param end      the exclusive end; empty for the last stretch, which is open-ended
     */
    public record Span(TimelineId timeline, Lsn begin, Optional<Lsn> end) {
        public Span {
            Objects.requireNonNull(timeline, "timeline");
            Objects.requireNonNull(begin, "begin");
            Objects.requireNonNull(end, "end");
        }

        /** Whether {@code lsn} lies in this stretch. */
        public boolean contains(Lsn lsn) {
            return !lsn.isBefore(begin) && end.map(lsn::isBefore).orElse(true);
        }
    }

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if the entries break a rule in the class comment
     * @throws NullPointerException if an argument or entry is null
     */
    public TimelineHistory {
        Objects.requireNonNull(timeline, "timeline");
        entries = List.copyOf(entries);
        for (int i = 0; i < entries.size(); i++) {
            Entry previous = i == 0 ? null : entries.get(i - 1);
            Optional<String> problem = problem(timeline, previous, "entry " + i, entries.get(i));
            if (problem.isPresent()) {
                throw new CellarException(ErrorCode.INVALID_VALUE,
                        "invalid history of timeline %s, entry %d: %s".formatted(timeline, i + 1, problem.get()));
            }
        }
        if (entries.isEmpty() && !timeline.equals(TimelineId.INITIAL)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid history of timeline %s: it has no entries, but every timeline after 1 branches off another"
                            .formatted(timeline));
        }
    }

    /** The history of timeline 1, which has no ancestors and no history file. */
    public static TimelineHistory initial() {
        return new TimelineHistory(TimelineId.INITIAL, List.of());
    }

    /**
     * Parses the {@code .history} file of {@code timeline} (see {@link TimelineHistoryFile}).
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the file and line of the first problem
     */
    public static TimelineHistory parse(TimelineId timeline, byte[] content) {
        return TimelineHistoryFile.parse(timeline, content);
    }

    /** The file name of the history of {@code timeline}: {@code %08X.history}. */
    public static String fileName(TimelineId timeline) {
        return timeline.toHex() + ".history";
    }

    /** The file name of this history: {@code %08X.history}. */
    public String fileName() {
        return fileName(timeline);
    }

    /**
     * The file content PostgreSQL would write for this history ({@code writeTimeLineHistory}): one
     * {@code %u\t%X/%X\t%s\n} line per entry, each line after the first preceded by an empty line,
     * because the server copies the parent's file and appends {@code "\n"} plus the new line. UTF-8.
     */
    public byte[] format() {
        return TimelineHistoryFile.format(this);
    }

    /**
     * The history of {@code child}, which branched off this timeline at {@code switchPoint}: this
     * history plus one entry, as the server builds a new history file from its parent's.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if the result would break a rule in the class comment
     */
    public TimelineHistory branch(TimelineId child, Lsn switchPoint, String reason) {
        List<Entry> childEntries = new ArrayList<>(entries);
        childEntries.add(new Entry(timeline, switchPoint, reason));
        return new TimelineHistory(child, childEntries);
    }

    /** Whether {@code other} is this timeline or one of its ancestors. */
    public boolean contains(TimelineId other) {
        return timeline.equals(other) || entries.stream().anyMatch(e -> e.parent().equals(other));
    }

    /**
     * The timeline on this path that holds {@code lsn}: the first ancestor whose switch point is
     * after {@code lsn}, or {@link #timeline()} if there is none.
     */
    public TimelineId timelineOf(Lsn lsn) {
        for (Entry entry : entries) {
            if (lsn.isBefore(entry.switchPoint())) {
                return entry.parent();
            }
        }
        return timeline;
    }

    /**
     * Where {@code ancestor} ended on this path, or empty if {@code ancestor} is {@link #timeline()}
     * itself (it has not ended).
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code ancestor} is not on this path
     */
    public Optional<Lsn> switchPointOf(TimelineId ancestor) {
        if (timeline.equals(ancestor)) {
            return Optional.empty();
        }
        for (Entry entry : entries) {
            if (entry.parent().equals(ancestor)) {
                return Optional.of(entry.switchPoint());
            }
        }
        throw new CellarException(ErrorCode.INVALID_VALUE,
                "timeline %s is not on the path to timeline %s (%s)".formatted(ancestor, timeline, describePath()));
    }

    /** The stretches of WAL to read, oldest first, from {@code 0/0} to the open end of {@link #timeline()}. */
    public List<Span> path() {
        List<Span> spans = new ArrayList<>(entries.size() + 1);
        Lsn begin = Lsn.ZERO;
        for (Entry entry : entries) {
            spans.add(new Span(entry.parent(), begin, Optional.of(entry.switchPoint())));
            begin = entry.switchPoint();
        }
        spans.add(new Span(timeline, begin, Optional.empty()));
        return List.copyOf(spans);
    }

    private String describePath() {
        StringBuilder sb = new StringBuilder();
        for (Entry entry : entries) {
            sb.append(entry.parent()).append(" until ").append(entry.switchPoint()).append(", ");
        }
        return sb.append(timeline).toString();
    }

    /**
     * What is wrong with {@code entry} following {@code previous} (null for the first) in the
     * history of {@code timeline}; {@code previousWhere} names the previous one in the message
     * ("line 3", "entry 2"). Shared with the file parser so both report the same rules.
     */
    static Optional<String> problem(TimelineId timeline, Entry previous, String previousWhere, Entry entry) {
        if (!entry.parent().isBefore(timeline)) {
            return Optional.of("parent timeline %s must be less than %s, the timeline this history leads to"
                    .formatted(entry.parent(), timeline));
        }
        if (previous != null && !previous.parent().isBefore(entry.parent())) {
            return Optional.of("parent timeline %s must be greater than %s, the parent on %s"
                    .formatted(entry.parent(), previous.parent(), previousWhere));
        }
        if (previous != null && entry.switchPoint().isBefore(previous.switchPoint())) {
            return Optional.of("switch point %s is before %s, the switch point on %s"
                    .formatted(entry.switchPoint(), previous.switchPoint(), previousWhere));
        }
        return Optional.empty();
    }
}
