package dev.cellar.storage.repository;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.time.Instant;
import java.util.Objects;

/**
 * {@code clusters/<cluster>/gaps/<TLI>-<from>-<to>.json}: WAL {@code [from, to)} of a timeline that
 * the server no longer had when Cellar asked for it. Kept in the repository so that a gap is never
 * forgotten, even when the catalog is rebuilt.
 *
 * @param detectedAt when Cellar noticed
 * @param reason     what happened, for people (e.g. "slot cellar_c1 was missing after a failover")
 */
@JsonPropertyOrder({"format", "cluster", "timeline", "from", "to", "detectedAt", "reason"})
public record WalGap(int format, String cluster, TimelineId timeline, Lsn from, Lsn to, Instant detectedAt,
                     String reason) {
    public WalGap {
        RepositoryLayout.checkClusterName(cluster);
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(detectedAt, "detectedAt");
        Objects.requireNonNull(reason, "reason");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("gap of cluster " + cluster + " must start before it ends: " + from
                    + " .. " + to);
        }
    }

    public static WalGap of(String cluster, TimelineId timeline, Lsn from, Lsn to, Instant detectedAt, String reason) {
        return new WalGap(ChecksummedDocument.FORMAT, cluster, timeline, from, to, detectedAt, reason);
    }
}
