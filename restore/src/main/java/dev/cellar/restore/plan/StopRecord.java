package dev.cellar.restore.plan;

import dev.cellar.core.Lsn;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The WAL record at which recovery would stop for a time, xid or restore-point target: a
 * transaction's commit or abort, or a restore point.
 *
 * @param start       where the record begins
 * @param end         where it ends: recovery must read WAL at least this far
 * @param time        the record's timestamp, when it has one
 * @param description for people, e.g. {@code commit of transaction 1234 at 2026-11-20 10:00:01.5+00}
 */
public record StopRecord(Lsn start, Lsn end, Optional<Instant> time, String description) {
    public StopRecord {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(description, "description");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("a record ends after it starts: " + start + ".." + end);
        }
    }
}
