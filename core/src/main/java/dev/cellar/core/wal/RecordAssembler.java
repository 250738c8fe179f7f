package dev.cellar.core.wal;

import dev.cellar.core.CellarException;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Puts one WAL record together from the pieces the pages give, without holding the record: it keeps
 * the record's first {@link WalRecordLayout#MAX_HEADERS_LENGTH} bytes (header and fragment headers),
 * runs every byte through the CRC as it passes, and copies the main data only when the filter asks
 * for it. Block images and block data are checked and dropped.
 *
 * <p>Mutable; confined to one {@link WalRecordReader}.
 */
final class RecordAssembler {

    /** The record is not what it must be; the reader adds where. */
    static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private static final int MAXALIGN = 8;

    private final Predicate<? super WalRecordHeader> keepMainData;
    private final int blockSize;
    private final byte[] prefix = new byte[WalRecordLayout.MAX_HEADERS_LENGTH];
    private final CRC32C crc = new CRC32C();

    private TimelineId timeline;
    private int major;
    private Lsn start;
    private long totalLength;
    private long consumed;
    private int prefixTarget;
    private WalRecordHeader header;
    private WalRecordLayout layout;
    private byte[] mainData;
    /** Start of the last complete record, when the one being read must link back to it. */
    private Lsn previousStart;
    private WalRecord completed;

    RecordAssembler(Predicate<? super WalRecordHeader> keepMainData, int blockSize) {
        this.keepMainData = keepMainData;
        this.blockSize = blockSize;
    }

    boolean inRecord() {
        return start != null;
    }

    Lsn recordStart() {
        return start;
    }

    /** Bytes of the current record still to come. */
    long remaining() {
        return totalLength - consumed;
    }

    /** A record of {@code totalLength} bytes ({@code xl_tot_len}, already range-checked) starts at {@code at}. */
    void begin(TimelineId timeline, int major, Lsn at, long totalLength) {
        this.timeline = timeline;
        this.major = major;
        this.start = at;
        this.totalLength = totalLength;
        this.consumed = 0;
        this.prefixTarget = (int) Math.min(totalLength, prefix.length);
        this.header = null;
        this.layout = null;
        this.mainData = null;
        crc.reset();
    }

    /** The rest of the current record is lost (the server overwrote it); the next one links to nothing known. */
    void abandon() {
        start = null;
        previousStart = null;
    }

    /** Reading starts in the middle of the WAL: the record before the next one is unknown. */
    void forgetPrevious() {
        previousStart = null;
    }

    /**
     * Feeds the record bytes {@code from..to} of a page whose first byte is at {@code pageLsn}.
     *
     * @return how many bytes the record took: at most its remainder. When they complete it, the record
     *         is then available from {@link #takeCompleted()}
     * @throws Invalid if the record's header, fragment headers, link or CRC is wrong
     */
    int feed(ByteBuffer page, int from, int to, Lsn pageLsn) {
        int n = (int) Math.min(remaining(), to - from);
        int p = from;
        int rest = n;
        if (consumed < prefixTarget) {
            int k = (int) Math.min(prefixTarget - consumed, rest);
            page.get(p, prefix, (int) consumed, k);
            int crcFrom = (int) Math.max(consumed, WalRecordHeader.SIZE);
            int crcTo = (int) consumed + k;
            if (crcTo > crcFrom) {
                crc.update(prefix, crcFrom, crcTo - crcFrom);
            }
            consumed += k;
            p += k;
            rest -= k;
            if (consumed == prefixTarget) {
                decodeHeaders();
            }
        }
        if (rest > 0) {
            crc.update(page.slice(p, rest));
            copyMainData(page, p, rest, consumed);
            consumed += rest;
        }
        if (consumed == totalLength) {
            long pastLastByte = pageLsn.value() + from + n;
            completed = finish(Lsn.of((pastLastByte + MAXALIGN - 1) & -MAXALIGN));
        }
        return n;
    }

    /** The record the last {@link #feed} completed, once; else null. */
    WalRecord takeCompleted() {
        WalRecord record = completed;
        completed = null;
        return record;
    }

    private void decodeHeaders() {
        ByteBuffer b = ByteBuffer.wrap(prefix, 0, prefixTarget).order(ByteOrder.LITTLE_ENDIAN);
        try {
            header = WalRecordHeader.parse(b);
            if (previousStart != null && !header.previous().equals(previousStart)) {
                throw new Invalid("xl_prev %s, expected %s, the start of the record before it"
                        .formatted(header.previous(), previousStart), null);
            }
            layout = WalRecordLayout.decode(b, totalLength, blockSize);
        } catch (CellarException e) {
            throw new Invalid(e.getMessage(), e);
        }
        if (keepMainData.test(header)) {
            mainData = new byte[(int) layout.mainDataLength()];
            long mainStart = layout.mainDataOffset();
            if (mainStart < prefixTarget) {
                System.arraycopy(prefix, (int) mainStart, mainData, 0, (int) (prefixTarget - mainStart));
            }
        }
    }

    /** Copies what of the record bytes {@code offset..offset+length} (at {@code p} in the page) is main data. */
    private void copyMainData(ByteBuffer page, int p, int length, long offset) {
        if (mainData == null) {
            return;
        }
        long mainStart = layout.mainDataOffset();
        long from = Math.max(offset, mainStart);
        long to = offset + length;
        if (to > from) {
            page.get(p + (int) (from - offset), mainData, (int) (from - mainStart), (int) (to - from));
        }
    }

    private WalRecord finish(Lsn end) {
        crc.update(prefix, 0, WalRecordHeader.CRC_COVERED_SIZE);
        int computed = (int) crc.getValue();
        if (computed != header.crc()) {
            throw new Invalid("xl_crc 0x%08X, but the record's bytes give 0x%08X".formatted(header.crc(), computed), null);
        }
        Optional<ByteBuffer> main = mainData == null
                ? Optional.empty()
                : Optional.of(ByteBuffer.wrap(mainData).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
        WalRecord record = new WalRecord(timeline, major, start, end, header, layout, main);
        previousStart = start;
        start = null;
        mainData = null;
        return record;
    }
}
