package dev.cellar.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Follows the chain of WAL records through the pages of one segment, page by page, the way
 * xlogreader.c reads them: each record starts MAXALIGNed (8 bytes) after the previous one, records
 * (even their 24-byte headers) continue across page boundaries behind the next page header, and a
 * continued page says so with {@code XLP_FIRST_IS_CONTRECORD} and the bytes still to come in
 * {@code xlp_rem_len}.
 *
 * <p>Per record whose start lies in the segment it checks {@code xl_tot_len}, {@code xl_prev}
 * (the start of the record before, when that is known) and {@code xl_crc} (CRC-32C of the data after
 * the header, then of the header's first 20 bytes). It notices the two ways a segment's WAL can
 * stop before the segment ends: an {@code XLOG_SWITCH} record (the server zero-fills every page
 * after it, xlog.c {@code CopyXLogRecordToWAL}) and, in a partial segment, the end of what was
 * written (a zero {@code xl_tot_len}, or a zero-filled page the caller reports). Record contents are
 * not interpreted otherwise.
 *
 * <p>Mutable; confined to one {@link WalSegmentCheck}.
 */
final class WalRecordChain {

    /** Builds the exception for a problem found on the page at a given segment offset. */
    @FunctionalInterface
    interface Failure {
        CellarException at(long pageOffset, String problem);
    }

    /** How the WAL in the segment ended before the segment did, if it did. */
    enum End {
        NONE, XLOG_SWITCH, END_OF_WAL
    }

    private static final int RECORD_HEADER_SIZE = 24; // SizeOfXLogRecord
    private static final int XL_PREV_OFFSET = 8;
    private static final int XL_INFO_OFFSET = 16;
    private static final int XL_RMID_OFFSET = 17;
    private static final int XL_CRC_OFFSET = 20;
    private static final long MAX_RECORD_LENGTH = 0x3FFF_FFFFL; // MaxAllocSize: xlogreader refuses longer
    private static final int RM_XLOG_ID = 0;
    private static final int XLOG_SWITCH = 0x40;
    private static final int XLR_RMGR_INFO_MASK = 0xF0;
    private static final int MAXALIGN = 8;

    private final Failure failure;
    private final WalRecordVisitor visitor;
    private final boolean partial;
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[RECORD_HEADER_SIZE];

    private boolean started;
    /** Bytes of the current record still to come; 0 between records. */
    private long remaining;
    /** Whether the current record began in this segment, so its header and CRC can be checked. */
    private boolean startKnown;
    private Lsn recordStart;
    private int headerFilled;
    /** Start of the last complete record, or null when unknown (segment start, after an overwrite). */
    private Lsn previousRecordStart;
    private End end = End.NONE;
    private Lsn endLsn;

    /**
     * @param partial whether the segment may end in unwritten (zero) bytes; if not, WAL may stop
     *                early only at an XLOG_SWITCH record
     */
    WalRecordChain(boolean partial, Failure failure, WalRecordVisitor visitor) {
        this.partial = partial;
        this.failure = failure;
        this.visitor = visitor;
    }

    End end() {
        return end;
    }

    /** Where the WAL ended: the start of the XLOG_SWITCH record, or the first unwritten byte. */
    Lsn endLsn() {
        return endLsn;
    }

    /**
     * The segment's last page has been given. A record whose header is cut by the segment's end
     * is reported with resource manager {@link WalRecordVisitor#UNKNOWN}: what it is cannot be
     * known from this segment, and the next one cannot see its start.
     */
    void segmentEnded() {
        if (remaining > 0 && startKnown && headerFilled < RECORD_HEADER_SIZE) {
            visitor.record(recordStart, WalRecordVisitor.UNKNOWN, 0);
        }
    }

    /** The caller found a zero-filled page at {@code pageLsn} in a partial segment: the written WAL ends there. */
    void endOfWrittenWalAt(Lsn pageLsn) {
        end = End.END_OF_WAL;
        endLsn = pageLsn;
    }

    /**
     * Follows the records through one page whose header has been checked.
     *
     * @param page a little-endian buffer from the page's first byte; its limit is the number of bytes
     *             present (a block, or fewer at the end of a partial segment's data)
     */
    void acceptPage(ByteBuffer page, long pageOffset, Lsn pageLsn, WalPageHeader pageHeader) {
        boolean continuation = pageHeader.hasFlag(WalPageHeader.XLP_FIRST_IS_CONTRECORD);
        boolean overwrite = pageHeader.hasFlag(WalPageHeader.XLP_FIRST_IS_OVERWRITE_CONTRECORD);
        if (continuation && overwrite) {
            throw failure.at(pageOffset,
                    "xlp_info 0x%04X has both XLP_FIRST_IS_CONTRECORD and XLP_FIRST_IS_OVERWRITE_CONTRECORD"
                            .formatted(pageHeader.info()));
        }
        if (remaining > 0 && !continuation && !overwrite) {
            throw failure.at(pageOffset,
                    "xlp_info 0x%04X lacks XLP_FIRST_IS_CONTRECORD (0x0001), but %s continues onto this page"
                            .formatted(pageHeader.info(), describeRecord()));
        }
        if (!continuation && pageHeader.remainingLength() != 0) {
            // Only CopyXLogRecordToWAL sets xlp_rem_len, together with the flag.
            throw failure.at(pageOffset, "xlp_rem_len %d, but xlp_info 0x%04X lacks XLP_FIRST_IS_CONTRECORD (0x0001)"
                    .formatted(pageHeader.remainingLength(), pageHeader.info()));
        }
        if (remaining > 0) {
            if (overwrite) {
                // The server lost the rest of this record (crash or promotion in mid-record) and wrote
                // new WAL over the place where it would have continued; it is abandoned, not an error.
                remaining = 0;
                previousRecordStart = null;
            } else if (pageHeader.remainingLength() != remaining) {
                throw failure.at(pageOffset, "xlp_rem_len %d, expected %d: the rest of %s"
                        .formatted(pageHeader.remainingLength(), remaining, describeRecord()));
            }
        } else if (continuation) {
            if (started) {
                throw failure.at(pageOffset,
                        "xlp_info 0x%04X has XLP_FIRST_IS_CONTRECORD (0x0001), but no record continues onto this page"
                                .formatted(pageHeader.info()));
            }
            if (pageHeader.remainingLength() == 0) {
                throw failure.at(pageOffset,
                        "xlp_rem_len is 0, but xlp_info 0x%04X has XLP_FIRST_IS_CONTRECORD (0x0001)"
                                .formatted(pageHeader.info()));
            }
            // A record from the previous segment: its start, header and CRC are out of reach.
            remaining = pageHeader.remainingLength();
            startKnown = false;
            recordStart = null;
        }
        started = true;

        int available = page.limit();
        int pos = pageHeader.size();
        if (remaining > 0) {
            pos += consume(page, pos, available);
            if (remaining > 0) {
                return;
            }
            finishRecord(pageOffset);
            pos = align(pos);
        }
        while (end == End.NONE && pos < available) {
            if (available - pos < Integer.BYTES) {
                // Only in a partial segment's last, short buffer: too little to hold a length.
                checkZero(page, pos, available, pageOffset, pageLsn);
                return;
            }
            long totalLength = Integer.toUnsignedLong(page.getInt(pos));
            Lsn at = pageLsn.plus(pos);
            if (totalLength == 0) {
                if (!partial) {
                    throw failure.at(pageOffset, ("record at %s: xl_tot_len 0, but the WAL of a complete segment "
                            + "runs to its end unless an XLOG_SWITCH record ends it").formatted(at));
                }
                end = End.END_OF_WAL;
                endLsn = at;
                break;
            }
            if (totalLength < RECORD_HEADER_SIZE) {
                throw failure.at(pageOffset, "record at %s: xl_tot_len %d is below the minimum of %d"
                        .formatted(at, totalLength, RECORD_HEADER_SIZE));
            }
            if (totalLength > MAX_RECORD_LENGTH) {
                throw failure.at(pageOffset, "record at %s: xl_tot_len %d is above the maximum of %d"
                        .formatted(at, totalLength, MAX_RECORD_LENGTH));
            }
            remaining = totalLength;
            startKnown = true;
            recordStart = at;
            headerFilled = 0;
            crc.reset();
            pos += consume(page, pos, available);
            if (remaining > 0) {
                return;
            }
            finishRecord(pageOffset);
            pos = align(pos);
        }
        if (end != End.NONE) {
            // The server zero-fills each WAL page when it initialises it, and nothing is written
            // after an XLOG_SWITCH record or past the end of written WAL.
            checkZero(page, pos, available, pageOffset, pageLsn);
        }
    }

    /** Feeds the current record the bytes of {@code page} from {@code pos}; returns how many it took. */
    private int consume(ByteBuffer page, int pos, int available) {
        int n = (int) Math.min(remaining, available - pos);
        if (startKnown) {
            int headerBytes = Math.min(RECORD_HEADER_SIZE - headerFilled, n);
            page.get(pos, header, headerFilled, headerBytes);
            headerFilled += headerBytes;
            if (headerBytes > 0 && headerFilled == RECORD_HEADER_SIZE) {
                // Reported as soon as the header is whole: a record that continues into the next
                // segment never finishes here, and the next segment's check cannot see its header.
                visitor.record(recordStart, Byte.toUnsignedInt(header[XL_RMID_OFFSET]),
                        Byte.toUnsignedInt(header[XL_INFO_OFFSET]));
            }
            if (n > headerBytes) {
                crc.update(page.slice(pos + headerBytes, n - headerBytes));
            }
        }
        remaining -= n;
        return n;
    }

    private void finishRecord(long pageOffset) {
        if (!startKnown) {
            return;
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        Lsn prev = Lsn.of(h.getLong(XL_PREV_OFFSET));
        if (previousRecordStart != null && !prev.equals(previousRecordStart)) {
            throw failure.at(pageOffset, "record at %s: xl_prev %s, expected %s, the start of the record before it"
                    .formatted(recordStart, prev, previousRecordStart));
        }
        crc.update(header, 0, XL_CRC_OFFSET);
        int computed = (int) crc.getValue();
        int stored = h.getInt(XL_CRC_OFFSET);
        if (computed != stored) {
            throw failure.at(pageOffset, "record at %s: xl_crc 0x%08X, but the record's bytes give 0x%08X"
                    .formatted(recordStart, stored, computed));
        }
        int rmid = Byte.toUnsignedInt(header[XL_RMID_OFFSET]);
        int info = Byte.toUnsignedInt(header[XL_INFO_OFFSET]);
        if (rmid == RM_XLOG_ID && (info & XLR_RMGR_INFO_MASK) == XLOG_SWITCH) {
            end = End.XLOG_SWITCH;
            endLsn = recordStart;
        }
        previousRecordStart = recordStart;
    }

    private void checkZero(ByteBuffer page, int from, int to, long pageOffset, Lsn pageLsn) {
        for (int i = from; i < to; i++) {
            if (page.get(i) != 0) {
                throw failure.at(pageOffset, "byte at %s is not zero, but %s".formatted(pageLsn.plus(i), describeEnd()));
            }
        }
    }

    String describeEnd() {
        return switch (end) {
            case XLOG_SWITCH -> "the XLOG_SWITCH record at %s ended the segment's WAL".formatted(endLsn);
            case END_OF_WAL -> "the written WAL ends at %s".formatted(endLsn);
            case NONE -> "the WAL has not ended";
        };
    }

    private String describeRecord() {
        return startKnown ? "the record at " + recordStart : "the record continued from the previous segment";
    }

    private static int align(int pos) {
        return (pos + MAXALIGN - 1) & -MAXALIGN;
    }
}
