package dev.cellar.restore.export;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Where a running restore is, for progress displays: the phase, bytes written of about how many,
 * and from those the rate and the time left. Immutable.
 *
 * @param phase   what it is doing
 * @param done    bytes of data files and WAL written so far
 * @param total   about how many bytes it will write (the backups' files and the staged WAL)
 * @param started when the restore began
 * @param at      when this snapshot was taken
 */
public record ExportProgress(Phase phase, long done, long total, Instant started, Instant at) {

    public enum Phase {
        UNPACKING("unpacking"),
        COMBINING("combining incremental backups"),
        STAGING_WAL("staging WAL"),
        SYNCING("syncing to disk"),
        DONE("done");

        private final String words;

        Phase(String words) {
            this.words = words;
        }

        /** For people: {@code unpacking}. */
        public String words() {
            return words;
        }
    }

    public ExportProgress {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(at, "at");
    }

    /** Bytes per second since the start, once a moment has passed. */
    public OptionalLong bytesPerSecond() {
        long millis = Duration.between(started, at).toMillis();
        return millis < 1 ? OptionalLong.empty() : OptionalLong.of(done * 1000 / millis);
    }

    /** How far along, 0 to 1, when the total is known. */
    public OptionalDouble fraction() {
        return total <= 0 ? OptionalDouble.empty() : OptionalDouble.of(Math.min(1.0, (double) done / total));
    }

    /** The time left at the rate so far, while there is a rate and bytes left. */
    public Optional<Duration> eta() {
        OptionalLong rate = bytesPerSecond();
        if (rate.isEmpty() || rate.getAsLong() == 0 || total <= done) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofSeconds((total - done) / rate.getAsLong()));
    }
}
