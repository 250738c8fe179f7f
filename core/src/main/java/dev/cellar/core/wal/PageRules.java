package dev.cellar.core.wal;

import dev.cellar.core.CellarException;
import dev.cellar.core.Lsn;
import dev.cellar.core.WalPageHeader;
import dev.cellar.core.WalPageMagic;
import dev.cellar.core.WalSegmentName;
import java.nio.ByteBuffer;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What {@link WalRecordReader} requires of page headers across the segments it reads (xlogreader.c
 * {@code XLogReaderValidatePageHeader}, as far as reading needs it): one supported magic throughout,
 * which gives the major version; {@code xlp_pageaddr} equal to the page's own LSN; a long header on
 * each segment's first page only, with one system identifier, the segment's size and one page size;
 * a timeline from 1 to the segment's; {@code xlp_rem_len} exactly when {@code XLP_FIRST_IS_CONTRECORD}.
 *
 * <p>Mutable; confined to one reader.
 */
final class PageRules {

    /** Builds the exception for a problem on the page at a given segment offset. */
    @FunctionalInterface
    interface Failure {
        CellarException at(int pageOffset, String problem);
    }

    private static final int MIN_PAGE_SIZE = 1024;
    private static final int MAX_PAGE_SIZE = 65536;
    private static final int DEFAULT_PAGE_SIZE = 8192;

    private final OptionalLong expectedSystemIdentifier;
    private final Failure failure;
    private int magic = -1;
    private int major;
    private OptionalLong systemIdentifier = OptionalLong.empty();
    private int pageSize;

    PageRules(OptionalLong expectedSystemIdentifier, Failure failure) {
        this.expectedSystemIdentifier = expectedSystemIdentifier;
        this.failure = failure;
    }

    /** The major version, once a page has been checked. */
    OptionalInt major() {
        return magic < 0 ? OptionalInt.empty() : OptionalInt.of(major);
    }

    /**
     * The page size of {@code segment} from its first bytes: the long header's {@code xlp_xlog_blcksz},
     * or the one seen before (8 KiB at first) when the page is zero or too short to tell.
     */
    int pageSize(ByteBuffer first, WalSegmentName segment) {
        int known = pageSize == 0 ? DEFAULT_PAGE_SIZE : pageSize;
        if (first.remaining() < WalPageHeader.LONG_SIZE || WalRecordReader.isAllZero(first)) {
            return known;
        }
        WalPageHeader header = WalPageHeader.parse(first);
        if (header.longHeader().isEmpty()) {
            return known; // check() reports it
        }
        long blcksz = header.longHeader().get().blockSize();
        if (blcksz < MIN_PAGE_SIZE || blcksz > MAX_PAGE_SIZE || Long.bitCount(blcksz) != 1
                || segment.size().bytes() % blcksz != 0) {
            throw failure.at(0, "xlp_xlog_blcksz %d is not a power of two from %d to %d dividing the segment size"
                    .formatted(blcksz, MIN_PAGE_SIZE, MAX_PAGE_SIZE));
        }
        if (pageSize != 0 && blcksz != pageSize) {
            throw failure.at(0, "xlp_xlog_blcksz %d, expected %d as in the segments before".formatted(blcksz, pageSize));
        }
        pageSize = (int) blcksz;
        return pageSize;
    }

    void check(WalPageHeader header, int offset, Lsn pageLsn, WalSegmentName segment) {
        checkMagic(header.magic(), offset);
        if ((header.info() & ~WalPageHeader.XLP_ALL_FLAGS) != 0) {
            throw failure.at(offset, "xlp_info 0x%04X has bits outside the defined 0x%04X"
                    .formatted(header.info(), WalPageHeader.XLP_ALL_FLAGS));
        }
        if (header.isLong() != (offset == 0)) {
            throw failure.at(offset, "xlp_info 0x%04X: the first page of a segment, and only it, has XLP_LONG_HEADER (0x0002)"
                    .formatted(header.info()));
        }
        if (!header.pageAddress().equals(pageLsn)) {
            throw failure.at(offset, "xlp_pageaddr %s, expected %s".formatted(header.pageAddress(), pageLsn));
        }
        header.longHeader().ifPresent(h -> checkLongHeader(h, segment));
        if (header.timeline() == 0 || header.timeline() > segment.timeline().value()) {
            throw failure.at(offset, "xlp_tli %d, expected 1 to %d, the segment's timeline"
                    .formatted(header.timeline(), segment.timeline().value()));
        }
        if (header.hasFlag(WalPageHeader.XLP_FIRST_IS_CONTRECORD) == (header.remainingLength() == 0)) {
            throw failure.at(offset, "xlp_rem_len %d does not go with xlp_info 0x%04X: a page continuing a record has both"
                    .formatted(header.remainingLength(), header.info()));
        }
    }

    private void checkMagic(int pageMagic, int offset) {
        if (magic < 0) {
            OptionalInt version = WalPageMagic.majorForMagic(pageMagic);
            if (version.isEmpty()) {
                throw failure.at(offset, "xlp_magic 0x%04X is not that of a supported PostgreSQL version %s"
                        .formatted(pageMagic, WalPageMagic.supportedMajors()));
            }
            magic = pageMagic;
            major = version.getAsInt();
        } else if (pageMagic != magic) {
            throw failure.at(offset, "xlp_magic 0x%04X, expected 0x%04X (PostgreSQL %d) as on the pages before"
                    .formatted(pageMagic, magic, major));
        }
    }

    private void checkLongHeader(WalPageHeader.LongHeader longHeader, WalSegmentName segment) {
        long expected = expectedSystemIdentifier.orElse(systemIdentifier.orElse(longHeader.systemIdentifier()));
        if (longHeader.systemIdentifier() != expected) {
            throw failure.at(0, "xlp_sysid %s, expected %s: the segment is from another cluster".formatted(
                    Long.toUnsignedString(longHeader.systemIdentifier()), Long.toUnsignedString(expected)));
        }
        systemIdentifier = OptionalLong.of(expected);
        if (longHeader.segmentSize() != segment.size().bytes()) {
            throw failure.at(0, "xlp_seg_size %d, expected %d".formatted(longHeader.segmentSize(), segment.size().bytes()));
        }
        if (longHeader.blockSize() != pageSize) {
            throw failure.at(0, "xlp_xlog_blcksz %d, expected %d".formatted(longHeader.blockSize(), pageSize));
        }
    }
}
