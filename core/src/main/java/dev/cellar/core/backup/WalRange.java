package dev.cellar.core.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.util.Objects;

/**
 * One entry of a backup manifest's {@code "WAL-Ranges"}: the WAL of {@code timeline} from
 * {@code start} to {@code end} is needed to make the backup consistent (backup_manifest.c
 * {@code AddWALInfoToBackupManifest}; the newest timeline comes first).
 *
 * @param timeline the timeline
 * @param start    where replay on this timeline starts (the backup start, or where the timeline began)
 * @param end      where it ends (the backup end, or where the next timeline branched off); not before {@code start}
 */
public record WalRange(TimelineId timeline, Lsn start, Lsn end) {

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code end} is before {@code start}
     * @throws NullPointerException if an argument is null
     */
    public WalRange {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid WAL range on timeline %s: it ends at %s, before its start %s".formatted(timeline, end, start));
        }
    }
}
