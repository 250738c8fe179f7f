package dev.cellar.server.view;

import java.time.Instant;
import java.util.List;

/** {@code backupctl wal-status}: a cluster's archived WAL by timeline, and its gaps. */
public record WalStatus(String cluster, long segments, long logicalBytes, long storedBytes, List<Timeline> timelines,
                        List<Gap> gaps) {

    /**
     * @param parent    the timeline it branched from; {@code null} for timeline 1
     * @param switchLsn where it branched off its parent
     * @param first     its first archived segment, {@code null} when none is archived
     * @param endLsn    the end of its archived WAL
     */
    public record Timeline(long timeline, Long parent, String switchLsn, String first, String last, String endLsn,
                           long segments) {
    }

    public record Gap(long timeline, String fromLsn, String toLsn, Instant detectedAt, String reason) {
    }
}
