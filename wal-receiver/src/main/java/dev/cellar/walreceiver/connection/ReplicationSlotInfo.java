package dev.cellar.walreceiver.connection;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to READ_REPLICATION_SLOT (PostgreSQL 15+) for an existing slot. Immutable and thread-safe.
 *
 * @param slotType        {@code physical}
 * @param restartLsn      the oldest WAL the slot retains; empty if it reserves none yet
 *                        (created without RESERVE_WAL and never streamed from)
 * @param restartTimeline the timeline of {@code restartLsn} in the server's current history; empty with it
 */
public record ReplicationSlotInfo(String slotType, Optional<Lsn> restartLsn, Optional<TimelineId> restartTimeline) {
    public ReplicationSlotInfo {
        Objects.requireNonNull(slotType, "slotType");
        Objects.requireNonNull(restartLsn, "restartLsn");
        Objects.requireNonNull(restartTimeline, "restartTimeline");
    }
}
