package dev.cellar.core;

/**
 * Told of every WAL record whose header a {@link WalSegmentCheck} verified (length, {@code xl_prev},
 * CRC), in WAL order, with the two header fields that say what kind of record it is. Records that
 * continue from the previous segment are reported by the check of that segment.
 */
@FunctionalInterface
public interface WalRecordVisitor {
    WalRecordVisitor NONE = (start, resourceManager, info) -> { };

    /**
     * @param start           where the record begins
     * @param resourceManager {@code xl_rmid}
     * @param info            {@code xl_info}
     */
    void record(Lsn start, int resourceManager, int info);
}
