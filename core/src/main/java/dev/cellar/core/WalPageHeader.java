package dev.cellar.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;

/**
 * The header at the start of every WAL page ({@code XLogPageHeaderData}, and
 * {@code XLogLongPageHeaderData} on a segment's first page), in the server's native byte order,
 * which is little-endian on every platform Cellar supports (x86-64, ARM64).
 *
 * <pre>
 *  0 u16 xlp_magic        2 u16 xlp_info        4 u32 xlp_tli
 *  8 u64 xlp_pageaddr    16 u32 xlp_rem_len    20 padding        (24 bytes, short header)
 * 24 u64 xlp_sysid       32 u32 xlp_seg_size   36 u32 xlp_xlog_blcksz (40 bytes, long header)
 * </pre>
 *
 * <p>{@link #parse} reads the fields as they are; judging them is {@link WalSegmentValidator}'s job.
 * Unsigned 32-bit fields are held in {@code long}s, the 64-bit system identifier and page address
 * bit for bit (print the identifier with {@link Long#toUnsignedString(long)}).
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param magic           {@code xlp_magic}, 0..0xFFFF
 * @param info            {@code xlp_info} flag bits, 0..0xFFFF
 * @param timeline        {@code xlp_tli}, the timeline of the page's first record, 0..0xFFFFFFFF
 * @param pageAddress     {@code xlp_pageaddr}, the LSN of the page's first byte
 * @param remainingLength {@code xlp_rem_len}, bytes of a record continued from the previous page, 0..0xFFFFFFFF
 * @param longHeader      the long-header fields, present exactly when {@link #XLP_LONG_HEADER} is set
 */
public record WalPageHeader(int magic, int info, long timeline, Lsn pageAddress, long remainingLength,
                            Optional<LongHeader> longHeader) {

    /** Size of the short header ({@code SizeOfXLogShortPHD}). */
    public static final int SHORT_SIZE = 24;
    /** Size of the long header ({@code SizeOfXLogLongPHD}). */
    public static final int LONG_SIZE = 40;

    /** The page starts with the continuation of a record begun on an earlier page. */
    public static final int XLP_FIRST_IS_CONTRECORD = 0x0001;
    /** The header is the long variant (normally the first page of a segment). */
    public static final int XLP_LONG_HEADER = 0x0002;
    /** Full-page images starting on this page may be removed (no backup was running). */
    public static final int XLP_BKP_REMOVABLE = 0x0004;
    /** The page replaces a continuation that was lost (a crash or promotion in mid-record). */
    public static final int XLP_FIRST_IS_OVERWRITE_CONTRECORD = 0x0008;
    /**
     * Every flag PostgreSQL 15–18 define ({@code XLP_ALL_FLAGS}, 0x000F). The post-18 tree drops
     * {@code XLP_BKP_REMOVABLE} and moves the overwrite flag to 0x0004 (mask 0x0007).
     */
    public static final int XLP_ALL_FLAGS = 0x000F;

    /**
     * The fields only the long header has.
     *
     * @param systemIdentifier {@code xlp_sysid}, the cluster's system identifier (unsigned)
     * @param segmentSize      {@code xlp_seg_size}, 0..0xFFFFFFFF
     * @param blockSize        {@code xlp_xlog_blcksz}, 0..0xFFFFFFFF
     */
    public record LongHeader(long systemIdentifier, long segmentSize, long blockSize) {
        public LongHeader {
            requireU32("xlp_seg_size", segmentSize);
            requireU32("xlp_xlog_blcksz", blockSize);
        }
    }

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if a field is out of its on-disk range, or
     *                         {@code longHeader} disagrees with {@link #XLP_LONG_HEADER}
     */
    public WalPageHeader {
        requireU16("xlp_magic", magic);
        requireU16("xlp_info", info);
        requireU32("xlp_tli", timeline);
        Objects.requireNonNull(pageAddress, "pageAddress");
        requireU32("xlp_rem_len", remainingLength);
        Objects.requireNonNull(longHeader, "longHeader");
        if (longHeader.isPresent() != ((info & XLP_LONG_HEADER) != 0)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL page header: long header fields must be present exactly when xlp_info 0x%04X has XLP_LONG_HEADER"
                            .formatted(info));
        }
    }

    /**
     * Reads the header at {@code buffer}'s position, little-endian whatever the buffer's order; the
     * buffer's position, limit and order are left as they were.
     *
     * @throws CellarException {@link ErrorCode#WAL_INVALID} if fewer bytes remain than the header needs
     */
    public static WalPageHeader parse(ByteBuffer buffer) {
        ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < SHORT_SIZE) {
            throw new CellarException(ErrorCode.WAL_INVALID,
                    "a WAL page header needs %d bytes, only %d are there".formatted(SHORT_SIZE, b.remaining()));
        }
        int magic = Short.toUnsignedInt(b.getShort(0));
        int info = Short.toUnsignedInt(b.getShort(2));
        long timeline = Integer.toUnsignedLong(b.getInt(4));
        Lsn pageAddress = Lsn.of(b.getLong(8));
        long remainingLength = Integer.toUnsignedLong(b.getInt(16));
        Optional<LongHeader> longHeader = Optional.empty();
        if ((info & XLP_LONG_HEADER) != 0) {
            if (b.remaining() < LONG_SIZE) {
                throw new CellarException(ErrorCode.WAL_INVALID,
                        "a long WAL page header needs %d bytes, only %d are there".formatted(LONG_SIZE, b.remaining()));
            }
            longHeader = Optional.of(new LongHeader(
                    b.getLong(24), Integer.toUnsignedLong(b.getInt(32)), Integer.toUnsignedLong(b.getInt(36))));
        }
        return new WalPageHeader(magic, info, timeline, pageAddress, remainingLength, longHeader);
    }

    /** {@link #parse(ByteBuffer)} on {@code bytes} from {@code offset}. */
    public static WalPageHeader parse(byte[] bytes, int offset) {
        return parse(ByteBuffer.wrap(bytes, offset, bytes.length - offset));
    }

    /** Whether this is the long variant. */
    public boolean isLong() {
        return longHeader.isPresent();
    }

    /** {@link #LONG_SIZE} or {@link #SHORT_SIZE}: where the page's data starts. */
    public int size() {
        return isLong() ? LONG_SIZE : SHORT_SIZE;
    }

    /** Whether all bits of {@code flag} are set in {@link #info()}. */
    public boolean hasFlag(int flag) {
        return (info & flag) == flag;
    }

    private static void requireU16(String field, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL page header: %s %d is not an unsigned 16-bit value".formatted(field, value));
        }
    }

    private static void requireU32(String field, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL page header: %s %d is not an unsigned 32-bit value".formatted(field, value));
        }
    }
}
