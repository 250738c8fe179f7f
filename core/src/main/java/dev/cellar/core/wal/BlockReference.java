package dev.cellar.core.wal;

import java.util.Objects;
import java.util.Optional;

/**
 * One block a WAL record refers to: an {@code XLogRecordBlockHeader} with what follows it
 * (xlogrecord.h), as {@link WalRecordLayout} decodes it. The image and the data themselves are not
 * kept, only their lengths.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param blockId     the block reference id, 0..32 ({@code XLR_MAX_BLOCK_ID}), ascending within a record
 * @param forkFlags   {@code fork_flags}: the fork number in the low four bits, {@code BKPBLOCK_*} flags in the high four
 * @param dataLength  {@code data_length}: bytes of resource-manager data for this block, 0..65535
 * @param image       the full-page image header, present when {@code BKPBLOCK_HAS_IMAGE} is set
 * @param relation    the relation file; repeated from the previous block when {@code BKPBLOCK_SAME_REL} is set
 * @param blockNumber the block number in the relation fork, unsigned 32-bit
 */
public record BlockReference(int blockId, int forkFlags, int dataLength, Optional<BlockImage> image,
                             RelFileLocator relation, long blockNumber) {

    /** {@code BKPBLOCK_FORK_MASK}. */
    public static final int FORK_MASK = 0x0F;
    /** {@code BKPBLOCK_HAS_IMAGE}: a full-page image follows the block header. */
    public static final int HAS_IMAGE = 0x10;
    /** {@code BKPBLOCK_HAS_DATA}: the block has resource-manager data. */
    public static final int HAS_DATA = 0x20;
    /** {@code BKPBLOCK_WILL_INIT}: replay re-initialises the page. */
    public static final int WILL_INIT = 0x40;
    /** {@code BKPBLOCK_SAME_REL}: the relation is the previous block's (not repeated in the record). */
    public static final int SAME_REL = 0x80;

    public BlockReference {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(relation, "relation");
    }

    /** The fork: 0 main, 1 free space map, 2 visibility map, 3 init. */
    public int forkNumber() {
        return forkFlags & FORK_MASK;
    }

    /** Whether all bits of {@code flag} are set in {@link #forkFlags()}. */
    public boolean hasFlag(int flag) {
        return (forkFlags & flag) == flag;
    }

    /**
     * A relation's file: {@code RelFileLocator} (16+; {@code RelFileNode} in 15, the same three
     * 32-bit numbers).
     *
     * @param tablespace {@code spcOid}
     * @param database   {@code dbOid}
     * @param relation   {@code relNumber} ({@code relNode} in 15)
     */
    public record RelFileLocator(long tablespace, long database, long relation) {
        /** {@code sizeof(RelFileLocator)}. */
        public static final int SIZE = 12;
    }

    /**
     * The header of a full-page image ({@code XLogRecordBlockImageHeader}, and the
     * {@code XLogRecordBlockCompressHeader} of a compressed image with a hole).
     *
     * <p>{@code bimg_info} has had this layout since PostgreSQL 15 and is the same in 15–18:
     * {@code BKPIMAGE_HAS_HOLE} 0x01, {@code BKPIMAGE_APPLY} 0x02, {@code BKPIMAGE_COMPRESS_PGLZ} 0x04,
     * {@code _LZ4} 0x08, {@code _ZSTD} 0x10. (PostgreSQL 14 had {@code BKPIMAGE_IS_COMPRESSED} 0x02 and
     * {@code BKPIMAGE_APPLY} 0x04; Cellar does not read 14's WAL.)
     *
     * @param length     {@code length}: bytes of the image as stored in the record (after removing the hole, compressed)
     * @param holeOffset {@code hole_offset}: bytes before the hole
     * @param holeLength bytes in the hole: stored for a compressed image, else the block size minus {@code length}
     * @param info       {@code bimg_info}
     */
    public record BlockImage(int length, int holeOffset, int holeLength, int info) {
        /** {@code BKPIMAGE_HAS_HOLE}. */
        public static final int HAS_HOLE = 0x01;
        /** {@code BKPIMAGE_APPLY}: replay restores the page from the image. */
        public static final int APPLY = 0x02;
        /** {@code BKPIMAGE_COMPRESS_PGLZ}. */
        public static final int COMPRESS_PGLZ = 0x04;
        /** {@code BKPIMAGE_COMPRESS_LZ4}. */
        public static final int COMPRESS_LZ4 = 0x08;
        /** {@code BKPIMAGE_COMPRESS_ZSTD}. */
        public static final int COMPRESS_ZSTD = 0x10;

        static final int COMPRESSED = COMPRESS_PGLZ | COMPRESS_LZ4 | COMPRESS_ZSTD;

        /** How the image is compressed ({@code wal_compression}). */
        public Compression compression() {
            if ((info & COMPRESS_PGLZ) != 0) {
                return Compression.PGLZ;
            }
            if ((info & COMPRESS_LZ4) != 0) {
                return Compression.LZ4;
            }
            return (info & COMPRESS_ZSTD) != 0 ? Compression.ZSTD : Compression.NONE;
        }

        public boolean hasHole() {
            return (info & HAS_HOLE) != 0;
        }

        /** Whether replay restores the page from it ({@code BKPIMAGE_APPLY}), rather than only checks it. */
        public boolean applied() {
            return (info & APPLY) != 0;
        }
    }

    /** A full-page image's compression, from {@code bimg_info}. */
    public enum Compression {
        NONE, PGLZ, LZ4, ZSTD
    }
}
