package dev.cellar.walreceiver.stream;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;

/**
 * Where a stream starts: always a segment start, on the timeline the server must stream it from.
 *
 * @param origin   what decided it, which matters for what the start means: {@link Origin#SERVER}
 *                 starts a new window of recoverability that needs a base backup to be usable
 * @param heldUpTo where the WAL the repository already holds ends: past {@code lsn} when the newest
 *                 archived segment is streamed again to compare it. If the server no longer has
 *                 the WAL at {@code lsn}, nothing before this is lost.
 */
public record StartPoint(Lsn lsn, TimelineId timeline, Origin origin, Lsn heldUpTo) {
    public StartPoint(Lsn lsn, TimelineId timeline, Origin origin) {
        this(lsn, timeline, origin, lsn);
    }

    public enum Origin {
        /** The segment a crash interrupted, left in the spool. */
        SPOOL,
        /** Right after the newest segment in the repository. */
        REPOSITORY,
        /** The replication slot's restart position. */
        SLOT,
        /** The server's current position: nothing was archived before. */
        SERVER
    }
}
