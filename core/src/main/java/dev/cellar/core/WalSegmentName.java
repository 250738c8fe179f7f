package dev.cellar.core;

import java.util.Objects;

/**
 * One WAL segment file of one timeline: {@code %08X%08X%08X} of (timeline, segment number /
 * segments per xlog ID, segment number % segments per xlog ID), as {@code XLogFileName} in
 * xlog_internal.h writes it. The segment covers the LSNs {@code [startLsn, endLsn)}.
 *
 * <p>The last segment of the 64-bit LSN space is not representable: its end would wrap to
 * {@code 0/0}. No server gets there (it is 16 EiB of WAL away from the first), and excluding it
 * keeps {@link #endLsn()} and {@link #next()} total.
 *
 * <p>This type names complete segment files only. For {@code .partial}, {@code .history} and
 * {@code .backup} names, see {@link WalFileNames}.
 *
 * <p>Immutable and thread-safe. No method accepts or returns {@code null}.
 *
 * @param timeline      the timeline in the file name
 * @param segmentNumber {@code startLsn / size}, from 0 to {@link #maxSegmentNumber(WalSegmentSize)}
 * @param size          the cluster's segment size, needed to split and join the name's fields
 */
public record WalSegmentName(TimelineId timeline, long segmentNumber, WalSegmentSize size) {

    /** Length of a segment file name: 24 hex digits ({@code XLOG_FNAME_LEN}). */
    public static final int NAME_LENGTH = 24;

    /** The suffix pg_receivewal and the server's end-of-recovery archiving give unfinished segments. */
    public static final String PARTIAL_SUFFIX = ".partial";

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if the segment number is out of range
     * @throws NullPointerException if {@code timeline} or {@code size} is null
     */
    public WalSegmentName {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(size, "size");
        if (segmentNumber < 0 || segmentNumber > maxSegmentNumber(size)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL segment number %d: expected 0 to %d for %s segments"
                            .formatted(segmentNumber, maxSegmentNumber(size), size));
        }
    }

    /** The largest representable segment number for {@code size} (see the class comment). */
    public static long maxSegmentNumber(WalSegmentSize size) {
        return size.segmentCount() - 2;
    }

    /**
     * The segment that holds the byte at {@code lsn} ({@code XLByteToSeg}): use it for a start
     * position.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code lsn} lies in the unrepresentable last segment
     */
    public static WalSegmentName containing(TimelineId timeline, Lsn lsn, WalSegmentSize size) {
        long segmentNumber = lsn.segmentNumber(size);
        if (segmentNumber > maxSegmentNumber(size)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "LSN %s lies in the last %s segment of the LSN space, which has no file name".formatted(lsn, size));
        }
        return new WalSegmentName(timeline, segmentNumber, size);
    }

    /**
     * The segment that holds the byte <em>before</em> {@code endLsn} ({@code XLByteToPrevSeg}): use
     * it for an end position, so that an end exactly on a segment boundary maps to the segment
     * that finished there rather than to the next, empty one.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code endLsn} is {@code 0/0}
     */
    public static WalSegmentName forEndLsn(TimelineId timeline, Lsn endLsn, WalSegmentSize size) {
        if (endLsn.isInvalid()) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "end LSN 0/0 has no preceding byte, so no segment ends there");
        }
        return containing(timeline, Lsn.of(endLsn.value() - 1), size);
    }

    /**
     * Parses a complete segment's file name: exactly 24 upper-case hex digits whose third field is
     * below {@link WalSegmentSize#segmentsPerXLogId()}.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} naming the text if it is not such a name
     *                         (including {@code .partial} names: use {@link WalFileNames#parse})
     * @throws NullPointerException if an argument is null
     */
    public static WalSegmentName parse(String name, WalSegmentSize size) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(size, "size");
        if (name.length() != NAME_LENGTH || !HexDigits.isUpperHex(name, 0, NAME_LENGTH)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL segment name \"%s\": expected 24 upper-case hexadecimal digits, such as 000000010000000000000003"
                            .formatted(name));
        }
        long timeline = Long.parseLong(name, 0, 8, 16);
        long xlogId = Long.parseLong(name, 8, 16, 16);
        long segmentInId = Long.parseLong(name, 16, 24, 16);
        if (timeline == 0) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL segment name \"%s\": timeline 0 does not exist".formatted(name));
        }
        long perId = size.segmentsPerXLogId();
        if (segmentInId >= perId) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL segment name \"%s\": the last field %08X must be below %08X for %s segments"
                            .formatted(name, segmentInId, perId, size));
        }
        long segmentNumber = xlogId * perId + segmentInId;
        if (segmentNumber > maxSegmentNumber(size)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL segment name \"%s\": the last %s segment of the LSN space has no file name"
                            .formatted(name, size));
        }
        return new WalSegmentName(new TimelineId(timeline), segmentNumber, size);
    }

    /** The first LSN in this segment. */
    public Lsn startLsn() {
        return Lsn.of(segmentNumber * size.bytes());
    }

    /** The first LSN after this segment (exclusive end); the {@link #startLsn()} of {@link #next()}. */
    public Lsn endLsn() {
        return Lsn.of((segmentNumber + 1) * size.bytes());
    }

    /** Whether {@code lsn} lies in {@code [startLsn, endLsn)}. */
    public boolean contains(Lsn lsn) {
        return lsn.segmentNumber(size) == segmentNumber;
    }

    /**
     * The following segment on the same timeline.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} on the last representable segment
     */
    public WalSegmentName next() {
        return new WalSegmentName(timeline, segmentNumber + 1, size);
    }

    /**
     * The preceding segment on the same timeline.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} on segment 0
     */
    public WalSegmentName previous() {
        if (segmentNumber == 0) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "WAL segment %s is the first one; it has no previous".formatted(fileName()));
        }
        return new WalSegmentName(timeline, segmentNumber - 1, size);
    }

    /** The same segment number on another timeline. */
    public WalSegmentName onTimeline(TimelineId other) {
        return new WalSegmentName(other, segmentNumber, size);
    }

    /** The 24-hex-digit file name, such as {@code 000000010000000000000003}. */
    public String fileName() {
        long perId = size.segmentsPerXLogId();
        return "%08X%08X%08X".formatted(timeline.value(), segmentNumber / perId, segmentNumber % perId);
    }

    /** {@link #fileName()} with {@code .partial}: the name of this segment while it is incomplete. */
    public String partialFileName() {
        return fileName() + PARTIAL_SUFFIX;
    }

    /** The {@link #fileName()}. */
    @Override
    public String toString() {
        return fileName();
    }
}
