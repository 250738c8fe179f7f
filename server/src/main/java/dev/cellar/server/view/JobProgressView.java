package dev.cellar.server.view;

import dev.cellar.restore.export.ExportProgress;

/**
 * How far a running job that moves data (a restore) got.
 *
 * @param phase          what it does now, in words
 * @param bytesDone      bytes written so far
 * @param bytesTotal     about how many it will write; {@code null} while unknown
 * @param bytesPerSecond the rate so far, once measurable
 * @param etaSeconds     time left at that rate, when known
 */
public record JobProgressView(String phase, long bytesDone, Long bytesTotal, Long bytesPerSecond, Double etaSeconds) {

    public static JobProgressView of(ExportProgress progress) {
        return new JobProgressView(progress.phase().words(), progress.done(),
                progress.total() > 0 ? progress.total() : null,
                progress.bytesPerSecond().isPresent() ? progress.bytesPerSecond().getAsLong() : null,
                progress.eta().map(d -> d.toMillis() / 1000.0).orElse(null));
    }
}
