package dev.cellar.core.wal;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.WalPageHeader;
import dev.cellar.core.WalSegmentName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads WAL record by record from consecutive segments, as xlogreader.c does: records continue across
 * page and segment boundaries behind page headers, each record's CRC-32C and {@code xl_prev} link are
 * checked, and every complete record is handed to the consumer in WAL order as a {@link WalRecord}.
 *
 * <p>Feed the segments of one timeline path in order, each whole: complete segments with
 * {@link #readSegment}, and at most one {@code .partial} (zero-padded after its last written byte,
 * as pg_receivewal and Cellar write them) last, with {@link #readPartialSegment}. Each segment's
 * number must follow the previous one's; its timeline may rise (the first segment of a timeline
 * continues its parent's WAL). If the first segment starts in the middle of a record, that record is
 * skipped. An {@code XLOG_SWITCH} record ends its segment's WAL (the rest is zero); a zero
 * {@code xl_tot_len} or zero page ends a partial segment's WAL.
 *
 * <p>Page headers are checked as far as reading needs: a supported and unchanging magic (which gives
 * the major version), {@code xlp_pageaddr}, the long header's system identifier, segment size and
 * block size, the timeline, and the continuation flags. {@code WalSegmentValidator} checks a segment
 * more strictly before it is stored.
 *
 * <p>Memory: one page (when reading a stream), the first {@value WalRecordLayout#MAX_HEADERS_LENGTH}
 * bytes of the current record, and the main data of records the filter asks to keep. Full-page images
 * and block data are checked and dropped, so records of any size (up to 1 GB) pass.
 *
 * <p>Failures throw {@link CellarException} {@link ErrorCode#WAL_INVALID} naming the segment file, the
 * page's offset and LSN, and the record; segments out of order throw {@link ErrorCode#WAL_GAP}.
 * After a failure the reader is of no further use. Not thread-safe; blocking only in the stream's reads.
 * Arguments must not be {@code null}.
 */
public final class WalRecordReader {

    private enum End {
        NONE, XLOG_SWITCH, END_OF_WAL
    }

    private static final int MAXALIGN = 8;
    private static final long MAX_RECORD_LENGTH = 0x3FFF_FFFFL; // MaxAllocSize: xlogreader refuses longer
    private static final int XLOG_SWITCH = 0x40;

    private final Consumer<? super WalRecord> sink;
    private final RecordAssembler assembler;
    private final PageRules pages;

    private WalSegmentName segment;
    private boolean partial;
    private boolean finished;
    private boolean started;
    /** Bytes still to skip of a record that began before the first segment given. */
    private long skipping;
    private End end = End.NONE;
    private Lsn endLsn;
    private Lsn endOfRecords;

    private WalRecordReader(Builder builder, Consumer<? super WalRecord> sink) {
        this.sink = sink;
        this.assembler = new RecordAssembler(builder.keepMainData, builder.blockSize);
        this.pages = new PageRules(builder.systemIdentifier, this::failure);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a reader: which main data to keep, the server's block size, its system identifier. */
    public static final class Builder {
        private Predicate<? super WalRecordHeader> keepMainData = header -> false;
        private int blockSize = WalRecordLayout.DEFAULT_BLOCK_SIZE;
        private OptionalLong systemIdentifier = OptionalLong.empty();

        private Builder() {
        }

        /** Keep the main data of the records whose header {@code filter} accepts (default: none). */
        public Builder keepMainDataOf(Predicate<? super WalRecordHeader> filter) {
            this.keepMainData = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /**
         * The server's {@code BLCKSZ} (default 8192), which full-page image lengths are checked against.
         *
         * @throws CellarException {@link ErrorCode#INVALID_VALUE} unless a power of two from 1 KiB to 32 KiB
         */
        public Builder blockSize(int blockSize) {
            if (blockSize < 1024 || blockSize > 32768 || Integer.bitCount(blockSize) != 1) {
                throw new CellarException(ErrorCode.INVALID_VALUE,
                        "invalid block size %d: expected a power of two from 1024 to 32768".formatted(blockSize));
            }
            this.blockSize = blockSize;
            return this;
        }

        /** Require this {@code xlp_sysid} (unsigned); by default every segment must match the first. */
        public Builder systemIdentifier(long systemIdentifier) {
            this.systemIdentifier = OptionalLong.of(systemIdentifier);
            return this;
        }

        /** A reader that hands every complete record to {@code records}, on the calling thread. */
        public WalRecordReader build(Consumer<? super WalRecord> records) {
            return new WalRecordReader(this, Objects.requireNonNull(records, "records"));
        }
    }

    /**
     * Reads a complete segment: {@code bytes} from position to limit (left unchanged), exactly the segment size.
     *
     * @throws CellarException {@link ErrorCode#WAL_INVALID} or {@link ErrorCode#WAL_GAP}, see the class comment
     * @throws IllegalStateException after a partial segment
     */
    public void readSegment(WalSegmentName segment, ByteBuffer bytes) {
        read(segment, false, bytes);
    }

    /** Reads a partial segment, the last one: at most the segment size, WAL then zeros. */
    public void readPartialSegment(WalSegmentName segment, ByteBuffer bytes) {
        read(segment, true, bytes);
    }

    /**
     * {@link #readSegment(WalSegmentName, ByteBuffer)} from a stream, page by page, to its end; the
     * stream is not closed.
     *
     * @throws IOException as the stream throws it
     */
    public void readSegment(WalSegmentName segment, InputStream in) throws IOException {
        read(segment, false, in);
    }

    /** {@link #readPartialSegment(WalSegmentName, ByteBuffer)} from a stream; the stream is not closed. */
    public void readPartialSegment(WalSegmentName segment, InputStream in) throws IOException {
        read(segment, true, in);
    }

    /** Where the last complete record read so far ends ({@link WalRecord#end()}), if any. */
    public Optional<Lsn> endOfRecords() {
        return Optional.ofNullable(endOfRecords);
    }

    /** The start of a record begun in the segments read but not completed by them, if any. */
    public Optional<Lsn> unfinishedRecordStart() {
        return Optional.ofNullable(assembler.inRecord() ? assembler.recordStart() : null);
    }

    /** The major version of the WAL read (from the page magic), once a page has been read. */
    public OptionalInt major() {
        return pages.major();
    }

    private void read(WalSegmentName next, boolean isPartial, ByteBuffer bytes) {
        beginSegment(next, isPartial);
        ByteBuffer b = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = b.remaining();
        int size = next.size().bytes();
        if (isPartial ? length > size : length != size) {
            throw segmentFailure("%d bytes, expected %s%d".formatted(length, isPartial ? "at most " : "", size));
        }
        int page = length == 0 ? 0 : pages.pageSize(b.slice(0, Math.min(length, WalPageHeader.LONG_SIZE)), next);
        for (int offset = 0; offset < length; offset += page) {
            acceptPage(b.slice(offset, Math.min(page, length - offset)), offset);
        }
        endSegment(length);
    }

    private void read(WalSegmentName next, boolean isPartial, InputStream in) throws IOException {
        beginSegment(next, isPartial);
        int size = next.size().bytes();
        byte[] first = in.readNBytes(WalPageHeader.LONG_SIZE);
        int page = first.length == 0 ? 0 : pages.pageSize(ByteBuffer.wrap(first), next);
        byte[] buffer = Arrays.copyOf(first, Math.max(page, first.length));
        int filled = first.length;
        long offset = 0;
        while (filled > 0) {
            filled += in.readNBytes(buffer, filled, page - filled); // completes the first page; nothing after
            if (filled < page && !isPartial) {
                throw segmentFailure("ends after %d bytes, expected %d".formatted(offset + filled, size));
            }
            acceptPage(ByteBuffer.wrap(buffer, 0, filled).order(ByteOrder.LITTLE_ENDIAN), (int) offset);
            offset += filled;
            if (filled < page || offset == size) {
                break;
            }
            filled = in.readNBytes(buffer, 0, page);
        }
        if (offset == size && in.read() >= 0) {
            throw segmentFailure("more than the %d bytes of a segment".formatted(size));
        }
        if (!isPartial && offset != size) {
            throw segmentFailure("ends after %d bytes, expected %d".formatted(offset, size));
        }
        endSegment(offset);
    }

    private void beginSegment(WalSegmentName next, boolean isPartial) {
        Objects.requireNonNull(next, "segment");
        if (finished) {
            throw new IllegalStateException("the partial segment %s ended the WAL; nothing can follow it"
                    .formatted(segment.partialFileName()));
        }
        if (segment != null) {
            if (next.segmentNumber() != segment.segmentNumber() + 1 || next.timeline().isBefore(segment.timeline())
                    || !next.size().equals(segment.size())) {
                throw new CellarException(ErrorCode.WAL_GAP, "WAL segment %s cannot follow %s: segments are read in order, one after the other"
                        .formatted(fileName(next, isPartial), segment.fileName()),
                        "give the segments of one timeline path in order, without gaps");
            }
        }
        segment = next;
        partial = isPartial;
        end = End.NONE;
        endLsn = null;
    }

    private void endSegment(long length) {
        if (partial) {
            finished = true;
            if (end == End.NONE) {
                end = End.END_OF_WAL;
                endLsn = segment.startLsn().plus(length);
            }
        }
    }

    /** @param page the page from position 0 to its limit, in any byte order */
    private void acceptPage(ByteBuffer page, int offset) {
        page.order(ByteOrder.LITTLE_ENDIAN);
        Lsn pageLsn = segment.startLsn().plus(offset);
        if (isAllZero(page)) {
            if (end == End.NONE) {
                if (!partial) {
                    throw failure(offset, offset == 0
                            ? "the page is zero-filled, but a segment starts with a long page header"
                            : "the page is zero-filled, but no XLOG_SWITCH record ended the segment's WAL before it");
                }
                end = End.END_OF_WAL;
                endLsn = pageLsn;
            }
            return;
        }
        if (end != End.NONE) {
            throw failure(offset, "the page is not zero-filled, but " + describeEnd());
        }
        if (page.remaining() < (offset == 0 ? WalPageHeader.LONG_SIZE : WalPageHeader.SHORT_SIZE)) {
            throw failure(offset, "%d bytes, too few for the page header".formatted(page.remaining()));
        }
        WalPageHeader header;
        try {
            header = WalPageHeader.parse(page);
        } catch (CellarException e) {
            throw failure(offset, e.getMessage());
        }
        pages.check(header, offset, pageLsn, segment);
        int available = page.limit();
        int pos = header.size();
        pos = continueRecord(page, header, offset, pageLsn, pos, available);
        while (end == End.NONE && pos < available && !assembler.inRecord() && skipping == 0) {
            if (available - pos < Integer.BYTES) {
                checkZero(page, pos, available, offset, pageLsn);
                end = End.END_OF_WAL; // only in a partial segment's last, short page
                endLsn = pageLsn.plus(pos);
                return;
            }
            long totalLength = Integer.toUnsignedLong(page.getInt(pos));
            Lsn at = pageLsn.plus(pos);
            if (totalLength == 0) {
                if (!partial) {
                    throw failure(offset, ("record at %s: xl_tot_len 0, but the WAL of a complete segment runs to "
                            + "its end unless an XLOG_SWITCH record ends it").formatted(at));
                }
                end = End.END_OF_WAL;
                endLsn = at;
                break;
            }
            if (totalLength < WalRecordHeader.SIZE || totalLength > MAX_RECORD_LENGTH) {
                throw failure(offset, "record at %s: xl_tot_len %d is not from %d to %d"
                        .formatted(at, totalLength, WalRecordHeader.SIZE, MAX_RECORD_LENGTH));
            }
            assembler.begin(segment.timeline(), pages.major().getAsInt(), at, totalLength);
            pos = align(pos + feed(page, pos, available, offset, pageLsn));
        }
        if (end != End.NONE) {
            checkZero(page, pos, available, offset, pageLsn);
        }
    }

    /** Handles the bytes a page starts with when they continue a record; returns where the page's own records start. */
    private int continueRecord(ByteBuffer page, WalPageHeader header, int offset, Lsn pageLsn, int pos, int available) {
        boolean continuation = header.hasFlag(WalPageHeader.XLP_FIRST_IS_CONTRECORD);
        boolean overwrite = header.hasFlag(WalPageHeader.XLP_FIRST_IS_OVERWRITE_CONTRECORD);
        if (assembler.inRecord() || skipping > 0) {
            long expected = assembler.inRecord() ? assembler.remaining() : skipping;
            if (overwrite) {
                // The server lost the rest of the record (a crash or promotion in mid-record) and wrote new
                // WAL where it would have continued: it is abandoned, as xlogreader.c does.
                assembler.abandon();
                skipping = 0;
            } else if (!continuation) {
                throw failure(offset, "xlp_info 0x%04X lacks XLP_FIRST_IS_CONTRECORD (0x0001), but %s continues onto this page"
                        .formatted(header.info(), describeRecord()));
            } else if (header.remainingLength() != expected) {
                throw failure(offset, "xlp_rem_len %d, expected %d: the rest of %s"
                        .formatted(header.remainingLength(), expected, describeRecord()));
            }
        } else if (continuation) {
            if (started) {
                throw failure(offset, "xlp_info 0x%04X has XLP_FIRST_IS_CONTRECORD (0x0001), but no record continues onto this page"
                        .formatted(header.info()));
            }
            skipping = header.remainingLength(); // begun before the first segment given: out of reach
            assembler.forgetPrevious();
        } else if (!started) {
            assembler.forgetPrevious();
        }
        started = true;
        if (skipping > 0) {
            int n = (int) Math.min(skipping, available - pos);
            skipping -= n;
            return skipping > 0 ? available : align(pos + n);
        }
        if (assembler.inRecord()) {
            int taken = feed(page, pos, available, offset, pageLsn);
            return assembler.inRecord() ? available : align(pos + taken);
        }
        return pos;
    }

    private int feed(ByteBuffer page, int pos, int available, int offset, Lsn pageLsn) {
        int taken;
        try {
            taken = assembler.feed(page, pos, available, pageLsn);
        } catch (RecordAssembler.Invalid e) {
            throw failure(offset, "record at %s: %s".formatted(assembler.recordStart(), e.getMessage()));
        }
        WalRecord record = assembler.takeCompleted();
        if (record != null) {
            endOfRecords = record.end();
            if (record.resourceManager() == WalRecordHeader.RM_XLOG && record.header().rmgrInfo() == XLOG_SWITCH) {
                end = End.XLOG_SWITCH; // the server zero-fills the rest of the segment
                endLsn = record.start();
            }
            sink.accept(record);
        }
        return taken;
    }

    private void checkZero(ByteBuffer page, int from, int to, int offset, Lsn pageLsn) {
        for (int i = from; i < to; i++) {
            if (page.get(i) != 0) {
                throw failure(offset, "byte at %s is not zero, but %s".formatted(pageLsn.plus(i), describeEnd()));
            }
        }
    }

    private String describeEnd() {
        return switch (end) {
            case XLOG_SWITCH -> "the XLOG_SWITCH record at %s ended the segment's WAL".formatted(endLsn);
            case END_OF_WAL -> "the written WAL ends at %s".formatted(endLsn);
            case NONE -> "the WAL has not ended";
        };
    }

    private String describeRecord() {
        return assembler.inRecord() ? "the record at " + assembler.recordStart()
                : "the record continued from before the first segment read";
    }

    private CellarException failure(int offset, String problem) {
        Lsn at = segment.startLsn().plus(offset);
        return new CellarException(ErrorCode.WAL_INVALID, "WAL segment %s, page at offset %d (LSN %s): %s"
                .formatted(fileName(segment, partial), offset, at, problem),
                "the WAL cannot be read past %s: use an intact copy of %s, or a recovery target before %s"
                        .formatted(at, fileName(segment, partial), at));
    }

    private CellarException segmentFailure(String problem) {
        return new CellarException(ErrorCode.WAL_INVALID, "WAL segment %s: %s".formatted(fileName(segment, partial), problem),
                "use an intact copy of %s".formatted(fileName(segment, partial)));
    }

    private static String fileName(WalSegmentName segment, boolean partial) {
        return partial ? segment.partialFileName() : segment.fileName();
    }

    private static int align(int pos) {
        return (pos + MAXALIGN - 1) & -MAXALIGN;
    }

    static boolean isAllZero(ByteBuffer page) {
        int i = page.position();
        int limit = page.limit();
        for (; i + Long.BYTES <= limit; i += Long.BYTES) {
            if (page.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < limit; i++) {
            if (page.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
