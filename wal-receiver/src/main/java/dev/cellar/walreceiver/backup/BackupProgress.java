package dev.cellar.walreceiver.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A snapshot of a running backup for the CLI and metrics: bytes the server has sent against its
 * estimate, bytes stored, and the rate and time left derived from them.
 *
 * @param bytesDone      as the server counts them (its 'p' messages), or as received when it has not said yet
 * @param bytesEstimated the server's pre-scan estimate, once known
 * @param bytesStored    bytes written to the repository so far, after compression
 */
public record BackupProgress(Phase phase, long bytesDone, OptionalLong bytesEstimated, long bytesStored,
                             Instant startedAt, Instant at) {
    public BackupProgress {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(bytesEstimated, "bytesEstimated");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(at, "at");
    }

    public enum Phase {
        /** Connecting, checking the server, uploading the parent's manifest. */
        PREPARING,
        /** Waiting for the server's checkpoint and pre-scan. */
        CHECKPOINT,
        /** Receiving and storing archive data. */
        STREAMING,
        /** Storing the last chunks, checking against the manifest, committing. */
        FINISHING,
        DONE,
        FAILED
    }

    /** Bytes per second since the data began, when measurable. */
    public OptionalLong bytesPerSecond() {
        long millis = Duration.between(startedAt, at).toMillis();
        return millis <= 0 ? OptionalLong.empty() : OptionalLong.of(bytesDone * 1000 / millis);
    }

    /** Time left at the current rate, when both the estimate and the rate are known. */
    public Optional<Duration> eta() {
        OptionalLong rate = bytesPerSecond();
        if (bytesEstimated.isEmpty() || rate.isEmpty() || rate.getAsLong() == 0) {
            return Optional.empty();
        }
        long left = Math.max(0, bytesEstimated.getAsLong() - bytesDone);
        return Optional.of(Duration.ofMillis(left * 1000 / rate.getAsLong()));
    }

    /** Done as a fraction of the estimate (0..1), when known; the estimate can be exceeded. */
    public Optional<Double> fraction() {
        if (bytesEstimated.isEmpty() || bytesEstimated.getAsLong() == 0) {
            return Optional.empty();
        }
        return Optional.of(Math.min(1.0, (double) bytesDone / bytesEstimated.getAsLong()));
    }
}
