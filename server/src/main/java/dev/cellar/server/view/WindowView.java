package dev.cellar.server.view;

import java.time.Instant;

/**
 * A stretch of WAL a restore can reach: from the end of backup {@code backupId} to {@code toLsn},
 * without a gap.
 *
 * @param fromTime when that backup ended: the earliest time a restore of this stretch can target
 */
public record WindowView(long timeline, String fromLsn, Instant fromTime, String backupId, String toLsn) {
}
