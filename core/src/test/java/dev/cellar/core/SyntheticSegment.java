package dev.cellar.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes WAL segments the way xlog.c lays them out, independently of the code under test, so the
 * validator's tests can build valid segments and then break exactly one thing: page headers (long
 * on the first page, short after; {@code XLP_FIRST_IS_CONTRECORD} and {@code xlp_rem_len} on
 * continued pages), records MAXALIGNed, headers split across pages when they fall that way, CRC-32C
 * over the data then the header's first 20 bytes, {@code xl_prev} links, and an
 * {@code XLOG_SWITCH} record after which the rest of the segment stays zero. Pages that were never
 * entered stay zero, as in a zero-padded {@code .partial}.
 */
final class SyntheticSegment {

    static final int RM_HEAP_ID = 10;
    private static final int RECORD_HEADER = 24;

    private final WalSegmentName segment;
    private final long systemIdentifier;
    private final int magic;
    private final int blockSize;
    private final byte[] bytes;
    private final ByteBuffer buffer;

    private int pos;
    private long timeline;
    private long previousStart = -1;
    private long lastStart = -1;
    private boolean overwriteNextPage;
    private final int infoExtra = WalPageHeader.XLP_BKP_REMOVABLE;
    private int records;

    SyntheticSegment(WalSegmentName segment, long systemIdentifier, int magic, int blockSize) {
        this.segment = segment;
        this.systemIdentifier = systemIdentifier;
        this.magic = magic;
        this.blockSize = blockSize;
        this.bytes = new byte[segment.size().bytes()];
        this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.timeline = segment.timeline().value();
    }

    SyntheticSegment(WalSegmentName segment, long systemIdentifier, int magic) {
        this(segment, systemIdentifier, magic, 8192);
    }

    /** The timeline written into the headers of pages entered from now on. */
    SyntheticSegment pageTimeline(long tli) {
        this.timeline = tli;
        return this;
    }

    /** Begins the segment with the last {@code length} bytes of a record started in the previous segment. */
    SyntheticSegment continuedRecord(int length) {
        if (pos != 0) {
            throw new IllegalStateException("only at the start of the segment");
        }
        byte[] tail = new byte[length];
        Arrays.fill(tail, (byte) 0xAB);
        writeSpanning(tail, true);
        pos = align(pos);
        return this;
    }

    /** A heap record of {@code totalLength} bytes (header included). */
    SyntheticSegment record(int totalLength) {
        return record(totalLength, RM_HEAP_ID, 0x00);
    }

    /** {@code count} records whose lengths cycle through short, medium, multi-page and odd sizes. */
    SyntheticSegment records(int count) {
        int[] lengths = {59, 212, 3 * blockSize + 77, 24, 1001};
        for (int i = 0; i < count; i++) {
            record(lengths[i % lengths.length]);
        }
        return this;
    }

    SyntheticSegment switchRecord() {
        return record(RECORD_HEADER, 0, 0x40);
    }

    /** Records until the segment is full; the last one continues into the next segment. */
    SyntheticSegment fillToEnd() {
        while (pos < bytes.length) {
            record(Math.min(5000, 100 + 37 * records));
        }
        return this;
    }

    SyntheticSegment record(int totalLength, int rmid, int info) {
        if (pos >= bytes.length) {
            throw new IllegalStateException("the segment is full");
        }
        ByteBuffer r = ByteBuffer.allocate(totalLength).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(0, totalLength);
        r.putInt(4, 0x1234 + records);
        long start = lsnAt(pos < bytes.length && pos % blockSize == 0 ? pos + headerSize(pos) : pos);
        r.putLong(8, previousStart < 0 ? 0 : previousStart);
        r.put(16, (byte) info);
        r.put(17, (byte) rmid);
        for (int i = RECORD_HEADER; i < totalLength; i++) {
            r.put(i, (byte) (i * 31 + records));
        }
        CRC32C crc = new CRC32C();
        crc.update(r.array(), RECORD_HEADER, totalLength - RECORD_HEADER);
        crc.update(r.array(), 0, 20);
        r.putInt(20, (int) crc.getValue());
        writeSpanning(r.array(), false);
        pos = align(pos);
        previousStart = start;
        lastStart = start;
        records++;
        return this;
    }

    /**
     * A record of {@code totalLength} bytes whose continuation is lost: its bytes stop at the end of
     * the current page, and the next page starts afresh with {@code XLP_FIRST_IS_OVERWRITE_CONTRECORD},
     * as after a crash or promotion in mid-record. The record after it links back, like the server's
     * {@code XLOG_OVERWRITE_CONTRECORD}, to the last complete record.
     */
    SyntheticSegment abandonedRecord(int totalLength) {
        int roomOnPage = blockSize - pos % blockSize - (pos % blockSize == 0 ? headerSize(pos) : 0);
        if (totalLength <= roomOnPage) {
            throw new IllegalArgumentException("the record must not fit on the page");
        }
        long savedPrevious = previousStart;
        int pageEnd = (pos / blockSize + 1) * blockSize;
        record(totalLength);
        Arrays.fill(bytes, pageEnd, Math.min(pos, bytes.length), (byte) 0);
        pos = pageEnd;
        previousStart = savedPrevious;
        overwriteNextPage = true;
        return this;
    }

    /** The LSN of the last record written. */
    Lsn lastRecordLsn() {
        return Lsn.of(lastStart);
    }

    /** The segment: every page entered has a header; the rest is zero. */
    byte[] bytes() {
        return bytes.clone();
    }

    /** The offset where the next record would start (or the segment size once full). */
    int position() {
        return Math.min(pos, bytes.length);
    }

    /** Header fields of the page at {@code offset} can be broken in place through this view. */
    ByteBuffer page(int offset) {
        return ByteBuffer.wrap(bytes, offset, blockSize).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private void writeSpanning(byte[] data, boolean continued) {
        int written = 0;
        while (written < data.length && pos < bytes.length) {
            if (pos % blockSize == 0) {
                writePageHeader(pos, written == 0 && !continued ? 0 : data.length - written);
                pos += headerSize(pos);
            }
            int n = Math.min(data.length - written, blockSize - pos % blockSize);
            System.arraycopy(data, written, bytes, pos, n);
            written += n;
            pos += n;
        }
    }

    private void writePageHeader(int offset, int remaining) {
        boolean first = offset == 0;
        int info = infoExtra | (first ? WalPageHeader.XLP_LONG_HEADER : 0)
                | (remaining > 0 ? WalPageHeader.XLP_FIRST_IS_CONTRECORD : 0)
                | (overwriteNextPage ? WalPageHeader.XLP_FIRST_IS_OVERWRITE_CONTRECORD : 0);
        overwriteNextPage = false;
        buffer.putShort(offset, (short) magic);
        buffer.putShort(offset + 2, (short) info);
        buffer.putInt(offset + 4, (int) timeline);
        buffer.putLong(offset + 8, lsnAt(offset));
        buffer.putInt(offset + 16, remaining);
        if (first) {
            buffer.putLong(offset + 24, systemIdentifier);
            buffer.putInt(offset + 32, bytes.length);
            buffer.putInt(offset + 36, blockSize);
        }
    }

    private int headerSize(int offset) {
        return offset == 0 ? WalPageHeader.LONG_SIZE : WalPageHeader.SHORT_SIZE;
    }

    private long lsnAt(int offset) {
        return segment.startLsn().value() + offset;
    }

    private static int align(int p) {
        return (p + 7) & -8;
    }
}
