package dev.cellar.core.wal;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalPageMagic;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes WAL over consecutive segments as xlog.c lays it out, independently of the code under test:
 * page headers (long on a segment's first page) with {@code XLP_FIRST_IS_CONTRECORD} and
 * {@code xlp_rem_len} when a record continues, records MAXALIGNed and split wherever a page ends
 * (headers included), {@code xl_prev} links and CRC-32C, {@code XLOG_SWITCH} followed by zeros.
 */
final class SyntheticWal {

    static final long SYSTEM_IDENTIFIER = 7_300_000_000_000_000_001L;
    static final WalSegmentSize SIZE = WalSegmentSize.of(1 << 20);

    private static final int XLP_FIRST_IS_CONTRECORD = 0x1;
    private static final int XLP_LONG_HEADER = 0x2;
    private static final int XLP_BKP_REMOVABLE = 0x4;
    private static final int XLP_FIRST_IS_OVERWRITE_CONTRECORD = 0x8;

    private final TimelineId timeline;
    private final int magic;
    private final int pageSize;
    private final long firstSegment;
    private final List<byte[]> segments = new ArrayList<>();
    private long lsn;
    private long previousStart;
    private int nextPageExtraFlags;

    SyntheticWal(int major, long firstSegment, int pageSize) {
        this.timeline = TimelineId.INITIAL;
        this.magic = WalPageMagic.magicForMajor(major);
        this.pageSize = pageSize;
        this.firstSegment = firstSegment;
        this.lsn = firstSegment * SIZE.bytes();
        this.previousStart = lsn - 0x60; // some record of an earlier segment
    }

    SyntheticWal(int major) {
        this(major, 3, 8192);
    }

    /** Appends a record; returns where it starts. */
    Lsn append(SyntheticRecord record) {
        return append(record.bytes());
    }

    /** Appends record bytes (xl_prev and xl_crc are filled in); returns where it starts. */
    Lsn append(byte[] record) {
        long start = lsn % pageSize == 0 ? lsn + headerSize(lsn) : lsn;
        finishRecord(record, start);
        write(record, record.length);
        previousStart = start;
        return Lsn.of(start);
    }

    /** Where the next record will be written (before any page header). */
    Lsn position() {
        return Lsn.of(lsn);
    }

    /**
     * Writes the record only to the end of the page it reaches past, as if the server stopped there,
     * and marks the next page {@code XLP_FIRST_IS_OVERWRITE_CONTRECORD}, as after a promotion in mid-record.
     */
    Lsn appendAbandoned(SyntheticRecord record) {
        byte[] bytes = record.bytes();
        long start = lsn % pageSize == 0 ? lsn + headerSize(lsn) : lsn;
        finishRecord(bytes, start);
        long pageEnd = (start / pageSize + 1) * pageSize;
        int first = (int) (pageEnd - start);
        if (first >= bytes.length) {
            throw new IllegalArgumentException("the record must reach past its page");
        }
        write(bytes, first);
        lsn = pageEnd;
        nextPageExtraFlags = XLP_FIRST_IS_OVERWRITE_CONTRECORD;
        previousStart = start;
        return Lsn.of(start);
    }

    /** An XLOG_SWITCH record; the rest of the segment stays zero. Returns its start. */
    Lsn switchSegment() {
        Lsn start = append(new SyntheticRecord(WalRecordHeader.RM_XLOG, 0x40));
        long segmentBytes = SIZE.bytes();
        lsn = (lsn + segmentBytes - 1) / segmentBytes * segmentBytes;
        return start;
    }

    /** Fills the rest of the current segment with records, so that the last one runs into the next segment. */
    void fillSegmentAndCrossInto(int recordLength) {
        long segmentEnd = (lsn / SIZE.bytes() + 1) * SIZE.bytes();
        while (lsn < segmentEnd - recordLength / 2) {
            append(new SyntheticRecord(10, 0).xid(9).mainData(SyntheticRecord.filled(recordLength)));
        }
    }

    int segmentCount() {
        return segments.size();
    }

    WalSegmentName segmentName(int index) {
        return new WalSegmentName(timeline, firstSegment + index, SIZE);
    }

    /** The whole segment, zero-padded past what was written. */
    byte[] segment(int index) {
        return segments.get(index).clone();
    }

    private void finishRecord(byte[] record, long start) {
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(8, previousStart);
        CRC32C crc = new CRC32C();
        crc.update(record, WalRecordHeader.SIZE, record.length - WalRecordHeader.SIZE);
        crc.update(record, 0, WalRecordHeader.CRC_COVERED_SIZE);
        b.putInt(20, (int) crc.getValue());
    }

    private void write(byte[] bytes, int count) {
        int off = 0;
        while (off < count) {
            if (lsn % pageSize == 0) {
                writePageHeader(off > 0 ? bytes.length - off : 0);
            }
            int room = (int) (pageSize - lsn % pageSize);
            int n = Math.min(room, count - off);
            put(bytes, off, n);
            off += n;
        }
        lsn = (lsn + 7) & -8L;
    }

    private void writePageHeader(long remaining) {
        boolean longHeader = lsn % SIZE.bytes() == 0;
        ByteBuffer h = ByteBuffer.allocate(headerSize(lsn)).order(ByteOrder.LITTLE_ENDIAN);
        int info = XLP_BKP_REMOVABLE | (remaining > 0 ? XLP_FIRST_IS_CONTRECORD : 0) | (longHeader ? XLP_LONG_HEADER : 0)
                | nextPageExtraFlags;
        nextPageExtraFlags = 0;
        h.putShort((short) magic).putShort((short) info).putInt((int) timeline.value()).putLong(lsn).putInt((int) remaining)
                .putInt(0);
        if (longHeader) {
            h.putLong(SYSTEM_IDENTIFIER).putInt(SIZE.bytes()).putInt(pageSize);
        }
        put(h.array(), 0, h.capacity());
    }

    private void put(byte[] bytes, int off, int n) {
        int index = (int) (lsn / SIZE.bytes() - firstSegment);
        while (segments.size() <= index) {
            segments.add(new byte[SIZE.bytes()]);
        }
        System.arraycopy(bytes, off, segments.get(index), (int) (lsn % SIZE.bytes()), n);
        lsn += n;
    }

    private int headerSize(long at) {
        return at % SIZE.bytes() == 0 ? 40 : 24;
    }
}
