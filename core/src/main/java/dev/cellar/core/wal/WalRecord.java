package dev.cellar.core.wal;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * A complete WAL record whose CRC has been checked, as {@link WalRecordReader} reassembles it.
 *
 * <p>{@link #start()} and {@link #end()} are what xlogreader.c calls {@code ReadRecPtr} and
 * {@code EndRecPtr}: where the record's header begins, and the position just after it rounded up to
 * 8 bytes (where the next record begins, unless a page header comes first). {@code XLogInsert}
 * returns the same end position, so for example {@code pg_create_restore_point()} returns the
 * {@link #end()} of its record.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param timeline the timeline of the segment file the record starts in. On the first segment of a
 *                 timeline the records before the switch point were copied from the parent; use
 *                 {@code TimelineHistory.timelineOf(start)} to attribute them
 * @param major    the PostgreSQL major version whose WAL it is, from the page magic
 * @param start    where the record starts
 * @param end      just past the record, 8-byte aligned
 * @param header   the fixed header
 * @param layout   its block references, origin, top-level xid and main data length
 * @param mainData the main data, present when the reader's filter asked for it (read-only, position 0,
 *                 little-endian, a copy the record owns)
 */
public record WalRecord(TimelineId timeline, int major, Lsn start, Lsn end, WalRecordHeader header,
                        WalRecordLayout layout, Optional<ByteBuffer> mainData) {

    public WalRecord {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(mainData, "mainData");
    }

    /** {@code xl_rmid}. */
    public int resourceManager() {
        return header.resourceManager();
    }

    /** {@code xl_info}. */
    public int info() {
        return header.info();
    }

    /** {@code xl_xid}, unsigned 32-bit. */
    public long xid() {
        return header.xid();
    }

    /** The main data as a fresh read-only view from position 0, if it was kept. */
    @Override
    public Optional<ByteBuffer> mainData() {
        return mainData.map(b -> b.duplicate().order(b.order()));
    }
}
