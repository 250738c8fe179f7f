package dev.cellar.catalog;

import dev.cellar.core.Lsn;
import dev.cellar.core.WalSegmentName;
import java.time.Instant;
import java.util.Objects;

/**
 * One archived WAL file of a cluster: a complete segment, or a {@code .partial} one (the last,
 * unfinished segment of a timeline that ended) that holds WAL only from the segment's start up to
 * {@link #end()}.
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param cluster      the cluster's name
 * @param segment      the segment (timeline, number, size)
 * @param partial      whether this is the {@code .partial} file of the segment
 * @param end          the exclusive end of the WAL the file holds: {@code segment.endLsn()} for a
 *                     complete segment; after the segment's start and at most its end for a partial one
 * @param size         uncompressed size in bytes
 * @param sha256       SHA-256 of the uncompressed bytes, lower-case hex
 * @param storedSize   size of the stored object in bytes
 * @param storedSha256 SHA-256 of the stored object, lower-case hex
 * @param codec        how the object is encoded, such as {@code zstd}
 * @param objectKey    the object's key in the repository
 * @param local        whether the local repository holds the object
 * @param offsite      whether the offsite (S3) copy holds it
 * @param archivedAt   when it was catalogued, to the microsecond
 */
public record WalSegmentRow(String cluster, WalSegmentName segment, boolean partial, Lsn end, long size,
                            String sha256, long storedSize, String storedSha256, String codec, String objectKey,
                            boolean local, boolean offsite, Instant archivedAt) {

    public WalSegmentRow {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(end, "end");
        RowChecks.notNegative("WAL size", size);
        RowChecks.sha256("WAL checksum", sha256);
        RowChecks.notNegative("stored WAL size", storedSize);
        RowChecks.sha256("stored WAL checksum", storedSha256);
        RowChecks.notBlank("codec", codec);
        RowChecks.notBlank("object key", objectKey);
        archivedAt = Columns.truncate(Objects.requireNonNull(archivedAt, "archivedAt"));
        if (!partial && !end.equals(segment.endLsn())) {
            throw RowChecks.invalid("WAL segment %s of cluster %s is complete, so it ends at %s, not %s"
                    .formatted(segment, cluster, segment.endLsn(), end));
        }
        if (partial && (!end.isAfter(segment.startLsn()) || end.isAfter(segment.endLsn()))) {
            throw RowChecks.invalid("partial WAL segment %s of cluster %s cannot end at %s: expected after %s and at most %s"
                    .formatted(segment, cluster, end, segment.startLsn(), segment.endLsn()));
        }
    }

    /** The first LSN the file holds: the segment's start. */
    public Lsn start() {
        return segment.startLsn();
    }

    /** The file name in PostgreSQL's form: {@code 000000010000000000000003} or {@code ….partial}. */
    public String fileName() {
        return partial ? segment.partialFileName() : segment.fileName();
    }
}
