package dev.cellar.core;

import java.util.Objects;

/**
 * What a file name in a WAL archive or {@code pg_wal} denotes, as {@link WalFileNames#parse}
 * recognises it.
 *
 * <p>All implementations are immutable and thread-safe records; no component is {@code null}.
 */
public sealed interface WalFileKind {

    /** The file name this kind was parsed from, rebuilt in canonical form. */
    String fileName();

    /** The timeline the file belongs to. */
    default TimelineId timeline() {
        return switch (this) {
            case Segment s -> s.segment().timeline();
            case PartialSegment p -> p.segment().timeline();
            case History h -> h.historyOf();
            case BackupHistory b -> b.segment().timeline();
        };
    }

    /** A complete segment: {@code 000000010000000000000003}. */
    record Segment(WalSegmentName segment) implements WalFileKind {
        public Segment {
            Objects.requireNonNull(segment, "segment");
        }

        @Override
        public String fileName() {
            return segment.fileName();
        }
    }

    /**
     * A segment that may be incomplete: {@code 000000010000000000000003.partial}, written by
     * pg_receivewal (and Cellar) while streaming, and archived by a server at the end of a timeline.
     */
    record PartialSegment(WalSegmentName segment) implements WalFileKind {
        public PartialSegment {
            Objects.requireNonNull(segment, "segment");
        }

        @Override
        public String fileName() {
            return segment.partialFileName();
        }
    }

    /** The history file of a timeline: {@code 00000003.history}. */
    record History(TimelineId historyOf) implements WalFileKind {
        public History {
            Objects.requireNonNull(historyOf, "historyOf");
        }

        @Override
        public String fileName() {
            return TimelineHistory.fileName(historyOf);
        }
    }

    /**
     * A backup history file: {@code 000000010000000000000009.00000028.backup}, named after the
     * segment holding the backup's start LSN and that LSN's offset in the segment
     * ({@code BackupHistoryFileName} in xlog_internal.h).
     *
     * @param segment  the segment holding {@code startLsn}
     * @param startLsn the backup's start LSN; lies in {@code segment}
     */
    record BackupHistory(WalSegmentName segment, Lsn startLsn) implements WalFileKind {
        public BackupHistory {
            Objects.requireNonNull(segment, "segment");
            Objects.requireNonNull(startLsn, "startLsn");
            if (!segment.contains(startLsn)) {
                throw new CellarException(ErrorCode.INVALID_VALUE,
                        "backup start LSN %s does not lie in WAL segment %s".formatted(startLsn, segment));
            }
        }

        @Override
        public String fileName() {
            return "%s.%08X.backup".formatted(segment.fileName(), startLsn.segmentOffset(segment.size()));
        }
    }
}
