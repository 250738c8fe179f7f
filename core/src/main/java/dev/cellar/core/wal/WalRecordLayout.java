package dev.cellar.core.wal;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Where the parts of a WAL record lie, from the fragment headers that follow its
 * {@link WalRecordHeader}, decoded as xlogreader.c {@code DecodeXLogRecord} does in PostgreSQL 15–18
 * (the layout is the same in all four):
 *
 * <pre>
 * XLogRecord (24 bytes)
 * fragment headers, each starting with an id byte, unaligned:
 *   0..32  XLogRecordBlockHeader: id, fork_flags, u16 data_length,
 *          [XLogRecordBlockImageHeader: u16 length, u16 hole_offset, u8 bimg_info, [u16 hole_length if compressed with a hole]],
 *          [RelFileLocator: 3 x u32 unless BKPBLOCK_SAME_REL], u32 block number
 *   252    XLR_BLOCK_ID_TOPLEVEL_XID, u32 xid       253  XLR_BLOCK_ID_ORIGIN, u16 origin id
 *   255    XLR_BLOCK_ID_DATA_SHORT, u8 length       254  XLR_BLOCK_ID_DATA_LONG, u32 length   (always last)
 * block images and block data, in block order
 * main data
 * </pre>
 *
 * <p>Block ids must ascend; the lengths of all images, block data and main data must add up to exactly
 * what follows the headers. The fragment headers take at most {@link #MAX_HEADERS_LENGTH} bytes, so a
 * record can be decoded from its first {@code min(xl_tot_len, MAX_HEADERS_LENGTH)} bytes: reading it
 * never needs the images.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param totalLength    {@code xl_tot_len}
 * @param headersLength  bytes from the record's start to its first image or data byte
 * @param blocks         the block references, in ascending block id
 * @param origin         the replication origin id ({@code XLR_BLOCK_ID_ORIGIN}), if the record has one
 * @param toplevelXid    the top-level xid ({@code XLR_BLOCK_ID_TOPLEVEL_XID}), written with a subtransaction's
 *                       first record when {@code wal_level = logical}
 * @param mainDataLength bytes of main data, the last bytes of the record
 */
public record WalRecordLayout(long totalLength, int headersLength, List<BlockReference> blocks, OptionalInt origin,
                              OptionalLong toplevelXid, long mainDataLength) {

    /** {@code XLR_MAX_BLOCK_ID}. */
    public static final int MAX_BLOCK_ID = 32;
    /** {@code XLR_BLOCK_ID_DATA_SHORT}. */
    public static final int BLOCK_ID_DATA_SHORT = 255;
    /** {@code XLR_BLOCK_ID_DATA_LONG}. */
    public static final int BLOCK_ID_DATA_LONG = 254;
    /** {@code XLR_BLOCK_ID_ORIGIN}. */
    public static final int BLOCK_ID_ORIGIN = 253;
    /** {@code XLR_BLOCK_ID_TOPLEVEL_XID}. */
    public static final int BLOCK_ID_TOPLEVEL_XID = 252;

    /** {@code BLCKSZ} of standard builds, the size of a full-page image before its hole is removed. */
    public static final int DEFAULT_BLOCK_SIZE = 8192;

    /**
     * The most bytes the record header and fragment headers can take: the header, 33 block headers
     * with every optional part ({@code MaxSizeOfXLogRecordBlockHeader} plus the id), an origin, a
     * top-level xid and a long main-data header.
     */
    public static final int MAX_HEADERS_LENGTH = WalRecordHeader.SIZE + (MAX_BLOCK_ID + 1) * (4 + 5 + 2 + 12 + 4) + 3 + 5 + 5;

    public WalRecordLayout {
        blocks = List.copyOf(blocks);
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(toplevelXid, "toplevelXid");
    }

    /** Offset of the main data from the record's start. */
    public long mainDataOffset() {
        return totalLength - mainDataLength;
    }

    /**
     * Decodes the fragment headers of a record of {@code totalLength} bytes.
     *
     * @param record    the record from its first byte (the {@link WalRecordHeader}), from the buffer's position;
     *                  at least {@code min(totalLength, MAX_HEADERS_LENGTH)} bytes; position, limit and
     *                  order are left as they were
     * @param blockSize {@code BLCKSZ} of the server, to check image lengths ({@link #DEFAULT_BLOCK_SIZE})
     * @throws CellarException {@link ErrorCode#WAL_INVALID} naming the problem as xlogreader.c does
     */
    public static WalRecordLayout decode(ByteBuffer record, long totalLength, int blockSize) {
        return new Decoder(record, totalLength, blockSize).decode();
    }

    private static final class Decoder {
        private final ByteBuffer b;
        private final long totalLength;
        private final int blockSize;
        private int pos = WalRecordHeader.SIZE;
        private long remaining;

        Decoder(ByteBuffer record, long totalLength, int blockSize) {
            this.b = record.slice().order(ByteOrder.LITTLE_ENDIAN);
            this.totalLength = totalLength;
            this.blockSize = blockSize;
            this.remaining = totalLength - WalRecordHeader.SIZE;
            if (totalLength < WalRecordHeader.SIZE) {
                throw invalid("xl_tot_len %d is below the %d bytes of the record header".formatted(totalLength, WalRecordHeader.SIZE));
            }
            if (b.remaining() < Math.min(totalLength, MAX_HEADERS_LENGTH)) {
                throw new IllegalArgumentException("%d bytes of the record given, at least %d needed"
                        .formatted(b.remaining(), Math.min(totalLength, MAX_HEADERS_LENGTH)));
            }
        }

        WalRecordLayout decode() {
            List<BlockReference> blocks = new ArrayList<>();
            OptionalInt origin = OptionalInt.empty();
            OptionalLong toplevelXid = OptionalLong.empty();
            long dataTotal = 0;
            long mainDataLength = 0;
            int maxBlockId = -1;
            BlockReference.RelFileLocator relation = null;
            while (remaining > dataTotal) {
                int id = u8();
                if (id == BLOCK_ID_DATA_SHORT) {
                    mainDataLength = u8();
                    dataTotal += mainDataLength;
                    break; // by convention the main data header is last
                } else if (id == BLOCK_ID_DATA_LONG) {
                    mainDataLength = u32();
                    dataTotal += mainDataLength;
                    break;
                } else if (id == BLOCK_ID_ORIGIN) {
                    origin = OptionalInt.of(u16());
                } else if (id == BLOCK_ID_TOPLEVEL_XID) {
                    toplevelXid = OptionalLong.of(u32());
                } else if (id <= MAX_BLOCK_ID) {
                    if (id <= maxBlockId) {
                        throw invalid("out-of-order block_id %d".formatted(id));
                    }
                    maxBlockId = id;
                    BlockReference block = block(id, relation);
                    relation = block.relation();
                    dataTotal += block.dataLength() + block.image().map(BlockReference.BlockImage::length).orElse(0);
                    blocks.add(block);
                } else {
                    throw invalid("invalid block_id %d".formatted(id));
                }
            }
            if (remaining != dataTotal) {
                throw invalid("xl_tot_len %d does not match its fragments: %d bytes of images and data are announced, %d follow the headers"
                        .formatted(totalLength, dataTotal, remaining));
            }
            return new WalRecordLayout(totalLength, pos, blocks, origin, toplevelXid, mainDataLength);
        }

        private BlockReference block(int id, BlockReference.RelFileLocator previousRelation) {
            int forkFlags = u8();
            int dataLength = u16();
            boolean hasData = (forkFlags & BlockReference.HAS_DATA) != 0;
            if (hasData && dataLength == 0) {
                throw invalid("block %d: BKPBLOCK_HAS_DATA set, but no data included".formatted(id));
            }
            if (!hasData && dataLength != 0) {
                throw invalid("block %d: BKPBLOCK_HAS_DATA not set, but data length is %d".formatted(id, dataLength));
            }
            Optional<BlockReference.BlockImage> image = Optional.empty();
            if ((forkFlags & BlockReference.HAS_IMAGE) != 0) {
                image = Optional.of(image(id));
            }
            BlockReference.RelFileLocator relation;
            if ((forkFlags & BlockReference.SAME_REL) == 0) {
                relation = new BlockReference.RelFileLocator(u32(), u32(), u32());
            } else if (previousRelation == null) {
                throw invalid("block %d: BKPBLOCK_SAME_REL set but no previous rel".formatted(id));
            } else {
                relation = previousRelation;
            }
            return new BlockReference(id, forkFlags, dataLength, image, relation, u32());
        }

        private BlockReference.BlockImage image(int id) {
            int length = u16();
            int holeOffset = u16();
            int info = u8();
            boolean compressed = (info & BlockReference.BlockImage.COMPRESSED) != 0;
            boolean hasHole = (info & BlockReference.BlockImage.HAS_HOLE) != 0;
            int holeLength;
            if (compressed) {
                holeLength = hasHole ? u16() : 0;
            } else {
                holeLength = blockSize - length;
            }
            if (hasHole && (holeOffset == 0 || holeLength == 0 || length == blockSize)) {
                throw invalid("block %d: BKPIMAGE_HAS_HOLE set, but hole offset %d length %d block image length %d"
                        .formatted(id, holeOffset, holeLength, length));
            }
            if (!hasHole && (holeOffset != 0 || holeLength != 0)) {
                throw invalid("block %d: BKPIMAGE_HAS_HOLE not set, but hole offset %d length %d"
                        .formatted(id, holeOffset, holeLength));
            }
            if (compressed && length == blockSize) {
                throw invalid("block %d: BKPIMAGE_COMPRESSED set, but block image length %d".formatted(id, length));
            }
            // Not in xlogreader.c, which would fail later: a hole inside the page, an image no bigger than it.
            if (holeLength < 0 || holeOffset + holeLength > blockSize) {
                throw invalid("block %d: hole offset %d length %d does not fit a %d-byte block"
                        .formatted(id, holeOffset, holeLength, blockSize));
            }
            return new BlockReference.BlockImage(length, holeOffset, holeLength, info);
        }

        private int u8() {
            need(1);
            int v = Byte.toUnsignedInt(b.get(pos));
            pos += 1;
            return v;
        }

        private int u16() {
            need(2);
            int v = Short.toUnsignedInt(b.getShort(pos));
            pos += 2;
            return v;
        }

        private long u32() {
            need(4);
            long v = Integer.toUnsignedLong(b.getInt(pos));
            pos += 4;
            return v;
        }

        private void need(int n) {
            if (remaining < n) {
                throw invalid("xl_tot_len %d ends inside the fragment headers".formatted(totalLength));
            }
            if (pos + n > b.limit()) {
                // Only when the record is longer than the bytes given: headers cannot be this long.
                throw invalid("the fragment headers run past %d bytes, more than %d block headers can take"
                        .formatted(b.limit(), MAX_BLOCK_ID + 1));
            }
            remaining -= n;
        }

        private static CellarException invalid(String problem) {
            return new CellarException(ErrorCode.WAL_INVALID, problem);
        }
    }
}
