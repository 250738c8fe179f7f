package dev.cellar.core.wal;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The fixed 24-byte header every WAL record starts with ({@code XLogRecord} in xlogrecord.h),
 * identical in PostgreSQL 15–18, little-endian on every platform Cellar supports:
 *
 * <pre>
 *  0 u32 xl_tot_len   4 u32 xl_xid   8 u64 xl_prev   16 u8 xl_info   17 u8 xl_rmid   18 (2 padding)   20 u32 xl_crc
 * </pre>
 *
 * <p>{@code xl_crc} is the CRC-32C of the record's bytes after the header, followed by the header's
 * first 20 bytes. The low four bits of {@code xl_info} belong to the WAL machinery
 * ({@code XLR_INFO_MASK}); the high four say what kind of record it is for its resource manager.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param totalLength     {@code xl_tot_len}: the whole record, header included, 24..2^32-1
 * @param xid             {@code xl_xid}, the transaction that wrote the record (0 if none), unsigned 32-bit
 * @param previous        {@code xl_prev}, the start of the record before it
 * @param info            {@code xl_info}, 0..255
 * @param resourceManager {@code xl_rmid}, 0..255
 * @param crc             {@code xl_crc}, bit for bit
 */
public record WalRecordHeader(long totalLength, long xid, Lsn previous, int info, int resourceManager, int crc) {

    /** {@code SizeOfXLogRecord}. */
    public static final int SIZE = 24;
    /** The bytes of the header that {@code xl_crc} covers: all before {@code xl_crc} itself. */
    public static final int CRC_COVERED_SIZE = 20;

    /** {@code RM_XLOG_ID}: checkpoints, WAL switches, restore points, full-page images. */
    public static final int RM_XLOG = 0;
    /** {@code RM_XACT_ID}: transaction commit, abort, prepare. */
    public static final int RM_XACT = 1;

    /** {@code XLR_RMGR_INFO_MASK}: the bits of {@code xl_info} the resource manager owns. */
    public static final int RMGR_INFO_MASK = 0xF0;

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if a field is out of its on-disk range
     *                         or {@code totalLength} is below {@link #SIZE}
     */
    public WalRecordHeader {
        Objects.requireNonNull(previous, "previous");
        if (totalLength < SIZE || totalLength > 0xFFFF_FFFFL) {
            throw invalid("xl_tot_len %d is not from %d to 4294967295".formatted(totalLength, SIZE));
        }
        if (xid < 0 || xid > 0xFFFF_FFFFL) {
            throw invalid("xl_xid %d is not an unsigned 32-bit value".formatted(xid));
        }
        if (info < 0 || info > 0xFF || resourceManager < 0 || resourceManager > 0xFF) {
            throw invalid("xl_info %d or xl_rmid %d is not an unsigned 8-bit value".formatted(info, resourceManager));
        }
    }

    /**
     * Reads the header from {@code buffer}'s position, little-endian whatever the buffer's order;
     * position, limit and order are left as they were.
     *
     * @throws CellarException {@link ErrorCode#WAL_INVALID} if fewer than {@link #SIZE} bytes remain or
     *                         {@code xl_tot_len} is below {@link #SIZE}
     */
    public static WalRecordHeader parse(ByteBuffer buffer) {
        ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < SIZE) {
            throw new CellarException(ErrorCode.WAL_INVALID,
                    "a WAL record header needs %d bytes, only %d are there".formatted(SIZE, b.remaining()));
        }
        long totalLength = Integer.toUnsignedLong(b.getInt(0));
        if (totalLength < SIZE) {
            throw new CellarException(ErrorCode.WAL_INVALID,
                    "xl_tot_len %d is below the %d bytes of the record header".formatted(totalLength, SIZE));
        }
        return new WalRecordHeader(totalLength, Integer.toUnsignedLong(b.getInt(4)), Lsn.of(b.getLong(8)),
                Byte.toUnsignedInt(b.get(16)), Byte.toUnsignedInt(b.get(17)), b.getInt(20));
    }

    /** The resource manager's part of {@code xl_info} ({@code xl_info & XLR_RMGR_INFO_MASK}). */
    public int rmgrInfo() {
        return info & RMGR_INFO_MASK;
    }

    private static CellarException invalid(String problem) {
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid WAL record header: " + problem);
    }
}
