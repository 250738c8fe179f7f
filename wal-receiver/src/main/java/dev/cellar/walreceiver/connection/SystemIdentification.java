package dev.cellar.walreceiver.connection;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to IDENTIFY_SYSTEM. Immutable and thread-safe.
 *
 * @param systemId      the cluster's system identifier, an unsigned 64-bit number in decimal
 *                      (what {@code pg_control_system()} shows); compare it as text
 * @param timeline      the server's current timeline (a primary's insert timeline, a standby's replay timeline)
 * @param xlogPosition  the flush position on a primary; on a standby the replay (or receive) position
 * @param database      empty on a physical replication connection
 */
public record SystemIdentification(String systemId, TimelineId timeline, Lsn xlogPosition, Optional<String> database) {
    public SystemIdentification {
        Objects.requireNonNull(systemId, "systemId");
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(xlogPosition, "xlogPosition");
        Objects.requireNonNull(database, "database");
    }
}
