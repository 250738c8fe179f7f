package dev.cellar.walreceiver.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * PostgreSQL's {@code TimestampTz} as sent in replication messages: int64 microseconds since
 * 2000-01-01 00:00:00 UTC ([proto] protocol-replication-xlogdata). Stateless and thread-safe.
 */
public final class PostgresTimestamps {
    /** 2000-01-01T00:00:00Z in seconds since the Unix epoch. */
    static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private PostgresTimestamps() {
    }

    /** The instant a PostgreSQL timestamp names. */
    public static Instant toInstant(long microsSince2000) {
        return Instant.ofEpochSecond(POSTGRES_EPOCH_SECONDS + Math.floorDiv(microsSince2000, MICROS_PER_SECOND),
                Math.floorMod(microsSince2000, MICROS_PER_SECOND) * 1000L);
    }

    /** The PostgreSQL timestamp of an instant, truncated to whole microseconds. */
    public static long toMicros(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond() - POSTGRES_EPOCH_SECONDS, MICROS_PER_SECOND),
                instant.getNano() / 1000L);
    }
}
