package dev.cellar.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Checks that bytes are the WAL segment they are named as, before Cellar keeps them: pure, no I/O.
 *
 * <p>Per page: the first page has a long header whose {@code xlp_pageaddr}, {@code xlp_sysid},
 * {@code xlp_seg_size} and {@code xlp_xlog_blcksz} match this segment and cluster; every page has the
 * same known magic (the expected major's, when given), only defined info bits, a short header after
 * the first page, {@code xlp_pageaddr} equal to its own LSN, and a timeline from 1 to the segment's
 * that never decreases. {@code xlp_tli} may be below the segment's timeline: the first segment of a
 * new timeline begins with pages copied from its parent.
 *
 * <p>Across pages it follows the record chain ({@link WalRecordChain}): lengths, continuation flags,
 * {@code xl_prev} links and CRCs. A complete segment's WAL runs to its last byte, unless an
 * {@code XLOG_SWITCH} record ends it early; then every following page is entirely zero, header
 * included (xlog.c {@code CopyXLogRecordToWAL} zeroes them so segments compress well; seen on
 * 15.18, 16.15, 17.11 and 18.6). A partial segment ({@link #allowingPartial()}) may also end where
 * writing stopped, with zeros after it, as pg_receivewal and Cellar pad {@code .partial} files; a
 * {@code .partial} a server archives at the end of a timeline can hold stale bytes past that point
 * and is not what this checks.
 *
 * <p>Failures throw {@link CellarException} with {@link ErrorCode#WAL_INVALID}, naming the file, the
 * page's offset and LSN, and what was expected and found.
 *
 * <p>Immutable and thread-safe; {@link #start()} hands out a {@link WalSegmentCheck} for one
 * segment's pages, which is not. No method accepts or returns {@code null}.
 */
public final class WalSegmentValidator {

    /** {@code XLOG_BLCKSZ} of standard builds: 8 KiB. */
    public static final int DEFAULT_BLOCK_SIZE = 8192;

    private static final int MIN_BLOCK_SIZE = 1024;
    private static final int MAX_BLOCK_SIZE = 65536;

    private final WalSegmentName segment;
    private final long systemIdentifier;
    private final OptionalInt expectedMajor;
    private final int blockSize;
    private final boolean partial;
    private final WalRecordVisitor visitor;

    private WalSegmentValidator(WalSegmentName segment, long systemIdentifier, OptionalInt expectedMajor,
                                int blockSize, boolean partial, WalRecordVisitor visitor) {
        this.segment = segment;
        this.systemIdentifier = systemIdentifier;
        this.expectedMajor = expectedMajor;
        this.blockSize = blockSize;
        this.partial = partial;
        this.visitor = visitor;
    }

    /**
     * A validator for complete copies of {@code segment} from the cluster with {@code systemIdentifier}
     * (as IDENTIFY_SYSTEM reports it; unsigned), with 8 KiB blocks and any supported major version.
     */
    public static WalSegmentValidator forSegment(WalSegmentName segment, long systemIdentifier) {
        Objects.requireNonNull(segment, "segment");
        return new WalSegmentValidator(segment, systemIdentifier, OptionalInt.empty(), DEFAULT_BLOCK_SIZE, false, WalRecordVisitor.NONE);
    }

    /**
     * A copy that also requires the page magic of PostgreSQL {@code major}.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code major} is not supported
     */
    public WalSegmentValidator expectingMajor(int major) {
        WalPageMagic.magicForMajor(major);
        return new WalSegmentValidator(segment, systemIdentifier, OptionalInt.of(major), blockSize, partial, visitor);
    }

    /**
     * A copy for a server built with another {@code XLOG_BLCKSZ} (a power of two from 1 KiB to 64 KiB).
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code blockSize} is not one
     */
    public WalSegmentValidator withBlockSize(int blockSize) {
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL block size %d: expected a power of two from 1024 to 65536".formatted(blockSize));
        }
        return new WalSegmentValidator(segment, systemIdentifier, expectedMajor, blockSize, partial, visitor);
    }

    /**
     * A copy for a segment that may be incomplete (a {@code .partial}): its WAL may stop anywhere,
     * followed only by zeros, and fewer bytes than a whole segment may be given.
     */
    public WalSegmentValidator allowingPartial() {
        return new WalSegmentValidator(segment, systemIdentifier, expectedMajor, blockSize, true, visitor);
    }

    /** A copy that reports every verified record to {@code visitor} (see {@link WalRecordVisitor}). */
    public WalSegmentValidator withRecordVisitor(WalRecordVisitor visitor) {
        return new WalSegmentValidator(segment, systemIdentifier, expectedMajor, blockSize, partial,
                Objects.requireNonNull(visitor, "visitor"));
    }

    /**
     * Checks a whole segment: {@code segmentBytes} from its position to its limit, which are left
     * unchanged. A complete segment must be exactly the segment size; a partial one at most that.
     *
     * @throws CellarException {@link ErrorCode#WAL_INVALID} at the first problem
     */
    public void validate(ByteBuffer segmentBytes) {
        ByteBuffer bytes = segmentBytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = bytes.remaining();
        int segmentSize = segment.size().bytes();
        if (partial ? length > segmentSize : length != segmentSize) {
            throw new CellarException(ErrorCode.WAL_INVALID, "WAL segment %s: %d bytes, expected %s%d"
                    .formatted(fileName(), length, partial ? "at most " : "", segmentSize));
        }
        WalSegmentCheck check = start();
        for (int offset = 0; offset < length; offset += blockSize) {
            check.acceptPage(bytes.slice(offset, Math.min(blockSize, length - offset)));
        }
        check.finish();
    }

    /** {@link #validate(ByteBuffer)} on the whole array. */
    public void validate(byte[] segmentBytes) {
        validate(ByteBuffer.wrap(segmentBytes));
    }

    /** A fresh check that takes the segment's pages one at a time, for callers that stream. */
    public WalSegmentCheck start() {
        return new WalSegmentCheck(this);
    }

    public WalSegmentName segment() {
        return segment;
    }

    /** The expected {@code xlp_sysid}, as an unsigned 64-bit number. */
    public long systemIdentifier() {
        return systemIdentifier;
    }

    /** The major version whose page magic is required, or empty to accept any supported one. */
    public OptionalInt expectedMajor() {
        return expectedMajor;
    }

    public int blockSize() {
        return blockSize;
    }

    WalRecordVisitor recordVisitor() {
        return visitor;
    }

    /** Whether the segment may be incomplete. */
    public boolean isPartial() {
        return partial;
    }

    /** The name of the file being checked, for messages: with {@code .partial} when partial. */
    String fileName() {
        return partial ? segment.partialFileName() : segment.fileName();
    }
}
