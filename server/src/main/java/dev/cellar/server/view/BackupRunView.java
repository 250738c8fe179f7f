package dev.cellar.server.view;

/**
 * A backup in progress.
 *
 * @param phase          preparing, checkpoint, streaming, finishing, ...; {@code waiting} while it waits for a slot
 * @param bytesDone      bytes the server has sent so far
 * @param bytesEstimated the server's estimate of the total, once known
 * @param bytesPerSecond the transfer rate so far, once measurable
 * @param etaSeconds     time left at that rate, when both are known
 */
public record BackupRunView(long jobId, String phase, long bytesDone, Long bytesEstimated, Long bytesPerSecond,
                            Double etaSeconds) {
}
