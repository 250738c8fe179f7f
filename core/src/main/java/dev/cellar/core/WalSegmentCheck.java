package dev.cellar.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalInt;

/**
 * One pass of a {@link WalSegmentValidator} over one segment, fed a page at a time so that a
 * caller can check WAL while it streams or reads it: {@link #acceptPage} for each page in order
 * from the first, then {@link #finish()}. It keeps no page after returning.
 *
 * <p>Once a call has thrown {@link CellarException}, the segment is invalid and the instance is of
 * no further use. Not thread-safe: confine an instance to one thread (or hand it over with a
 * happens-before edge). Arguments must not be {@code null}.
 */
public final class WalSegmentCheck {

    private final WalSegmentValidator validator;
    private final WalRecordChain chain;
    private final int blockSize;
    private final long segmentSize;
    private final Lsn segmentStart;
    private final OptionalInt expectedMagic;

    private long nextOffset;
    private int firstMagic = -1;
    private long lastTimeline;
    private boolean shortPageSeen;
    private boolean finished;

    WalSegmentCheck(WalSegmentValidator validator) {
        this.validator = validator;
        this.chain = new WalRecordChain(validator.isPartial(), this::failure, validator.recordVisitor());
        this.blockSize = validator.blockSize();
        this.segmentSize = validator.segment().size().bytes();
        this.segmentStart = validator.segment().startLsn();
        this.expectedMagic = validator.expectedMajor().isPresent()
                ? OptionalInt.of(WalPageMagic.magicForMajor(validator.expectedMajor().getAsInt()))
                : OptionalInt.empty();
    }

    /**
     * Checks the next page: the bytes from {@code page}'s position to its limit, which are left
     * unchanged. Each page is one block; only the last one given for a partial segment may be
     * shorter (where the written data ends).
     *
     * @throws CellarException       {@link ErrorCode#WAL_INVALID} if the page is not what it must be
     * @throws IllegalStateException after {@link #finish()}, after a short page, or past the segment's end
     * @throws IllegalArgumentException if the page is empty or longer than a block
     */
    public void acceptPage(ByteBuffer page) {
        if (finished) {
            throw new IllegalStateException("the check of " + validator.fileName() + " has finished");
        }
        if (shortPageSeen) {
            throw new IllegalStateException("a short page must be the last one given for " + validator.fileName());
        }
        if (nextOffset >= segmentSize) {
            throw new IllegalStateException("all %d bytes of %s have been checked".formatted(segmentSize, validator.fileName()));
        }
        ByteBuffer p = page.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = p.remaining();
        if (length == 0 || length > blockSize) {
            throw new IllegalArgumentException("a page has 1 to %d bytes, not %d".formatted(blockSize, length));
        }
        long offset = nextOffset;
        if (length < blockSize) {
            if (!validator.isPartial()) {
                throw failure(offset, "%d bytes, expected a whole page of %d".formatted(length, blockSize));
            }
            shortPageSeen = true;
        }
        nextOffset += length;
        checkPage(p, offset);
    }

    /**
     * Ends the check: a complete segment must have had all its pages.
     *
     * @throws CellarException       {@link ErrorCode#WAL_INVALID} if a complete segment was cut short
     * @throws IllegalStateException if called twice
     */
    public void finish() {
        if (finished) {
            throw new IllegalStateException("the check of " + validator.fileName() + " has finished");
        }
        finished = true;
        chain.segmentEnded();
        if (!validator.isPartial() && nextOffset != segmentSize) {
            throw new CellarException(ErrorCode.WAL_INVALID, "WAL segment %s: ends after %d bytes, expected %d"
                    .formatted(validator.fileName(), nextOffset, segmentSize));
        }
    }

    private void checkPage(ByteBuffer page, long offset) {
        Lsn pageLsn = segmentStart.plus(offset);
        if (isAllZero(page)) {
            if (chain.end() == WalRecordChain.End.NONE) {
                if (!validator.isPartial()) {
                    throw failure(offset, offset == 0
                            ? "the page is zero-filled, but a segment starts with a long page header"
                            : "the page is zero-filled, but no XLOG_SWITCH record ended the segment's WAL before it");
                }
                chain.endOfWrittenWalAt(pageLsn);
            }
            return;
        }
        if (chain.end() != WalRecordChain.End.NONE) {
            throw failure(offset, "the page is not zero-filled, but " + chain.describeEnd());
        }
        int headerSize = offset == 0 ? WalPageHeader.LONG_SIZE : WalPageHeader.SHORT_SIZE;
        if (page.remaining() < headerSize) {
            throw failure(offset, "%d bytes, too few for the %d-byte page header".formatted(page.remaining(), headerSize));
        }
        WalPageHeader header;
        try {
            header = WalPageHeader.parse(page);
        } catch (CellarException e) {
            throw failure(offset, e.getMessage()); // a long-header flag on a short last page
        }
        checkHeader(header, offset, pageLsn);
        chain.acceptPage(page, offset, pageLsn, header);
    }

    private void checkHeader(WalPageHeader header, long offset, Lsn pageLsn) {
        checkMagic(header.magic(), offset);
        if ((header.info() & ~WalPageHeader.XLP_ALL_FLAGS) != 0) {
            throw failure(offset, "xlp_info 0x%04X has bits outside the defined 0x%04X"
                    .formatted(header.info(), WalPageHeader.XLP_ALL_FLAGS));
        }
        if (offset == 0 && !header.isLong()) {
            throw failure(offset, "xlp_info 0x%04X lacks XLP_LONG_HEADER (0x0002), which the first page of a segment has"
                    .formatted(header.info()));
        }
        if (offset != 0 && header.isLong()) {
            throw failure(offset, "xlp_info 0x%04X has XLP_LONG_HEADER (0x0002), which only the first page of a segment has"
                    .formatted(header.info()));
        }
        if (!header.pageAddress().equals(pageLsn)) {
            throw failure(offset, "xlp_pageaddr %s, expected %s".formatted(header.pageAddress(), pageLsn));
        }
        if (header.longHeader().isPresent()) {
            checkLongHeader(header.longHeader().get(), offset);
        }
        checkTimeline(header.timeline(), offset);
    }

    private void checkMagic(int magic, long offset) {
        if (firstMagic >= 0) {
            if (magic != firstMagic) {
                throw failure(offset, "xlp_magic %s, expected %s as on the first page"
                        .formatted(WalPageMagic.describe(magic), WalPageMagic.describe(firstMagic)));
            }
            return;
        }
        if (expectedMagic.isPresent() && magic != expectedMagic.getAsInt()) {
            throw failure(offset, "xlp_magic %s, expected %s"
                    .formatted(WalPageMagic.describe(magic), WalPageMagic.describe(expectedMagic.getAsInt())));
        }
        if (WalPageMagic.majorForMagic(magic).isEmpty()) {
            throw failure(offset, "xlp_magic 0x%04X is not that of a supported PostgreSQL version (%s)"
                    .formatted(magic, WalPageMagic.describeAll()));
        }
        firstMagic = magic;
    }

    private void checkLongHeader(WalPageHeader.LongHeader longHeader, long offset) {
        if (longHeader.systemIdentifier() != validator.systemIdentifier()) {
            throw failure(offset, "xlp_sysid %s, expected %s: the segment is from another cluster".formatted(
                    Long.toUnsignedString(longHeader.systemIdentifier()),
                    Long.toUnsignedString(validator.systemIdentifier())));
        }
        if (longHeader.segmentSize() != segmentSize) {
            throw failure(offset, "xlp_seg_size %d, expected %d".formatted(longHeader.segmentSize(), segmentSize));
        }
        if (longHeader.blockSize() != blockSize) {
            throw failure(offset, "xlp_xlog_blcksz %d, expected %d".formatted(longHeader.blockSize(), blockSize));
        }
    }

    private void checkTimeline(long timeline, long offset) {
        long segmentTimeline = validator.segment().timeline().value();
        if (timeline == 0) {
            throw failure(offset, "xlp_tli 0, but timelines start at 1");
        }
        if (timeline > segmentTimeline) {
            throw failure(offset, "xlp_tli %d, expected at most %d, the segment's timeline".formatted(timeline, segmentTimeline));
        }
        // xlogreader.c: child timelines always get higher IDs, so along the WAL they never go back.
        if (timeline < lastTimeline) {
            throw failure(offset, "xlp_tli %d is below %d on an earlier page, but timelines never decrease along the WAL"
                    .formatted(timeline, lastTimeline));
        }
        lastTimeline = timeline;
    }

    private CellarException failure(long offset, String problem) {
        return new CellarException(ErrorCode.WAL_INVALID, "WAL segment %s, page at offset %d (LSN %s): %s"
                .formatted(validator.fileName(), offset, segmentStart.plus(offset), problem));
    }

    private static boolean isAllZero(ByteBuffer page) {
        int length = page.remaining();
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            if (page.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (page.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
