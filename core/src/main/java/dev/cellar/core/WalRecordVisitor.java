package dev.cellar.core;

/**
 * Told of every WAL record that starts in a segment a {@link WalSegmentCheck} reads, in WAL order,
 * as soon as its 24-byte header has been read, with the two header fields that say what kind of
 * record it is. The record's CRC is checked later, when it ends (a mismatch fails the check), or
 * not at all when it ends in the next segment. Records that continue from the previous segment
 * were reported by the check of that segment.
 */
@FunctionalInterface
public interface WalRecordVisitor {
    WalRecordVisitor NONE = (start, resourceManager, info) -> { };

    /** The resource manager of a record whose header the segment's end cuts: unknowable here. */
    int UNKNOWN = -1;

    /**
     * @param start           where the record begins
     * @param resourceManager {@code xl_rmid}, or {@link #UNKNOWN}
     * @param info            {@code xl_info}
     */
    void record(Lsn start, int resourceManager, int info);
}
