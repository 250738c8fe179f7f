package dev.cellar.walreceiver.backup;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a BASE_BACKUP exchange as the server reported it.
 *
 * @param endLsn   the consistency point: recovery must replay WAL at least this far
 * @param warnings WARNING notices the server sent during the backup (page checksum failures are
 *                 reported this way before the final error)
 */
public record BaseBackupResult(BaseBackupStart start, Lsn endLsn, TimelineId endTimeline, List<String> warnings) {
    public BaseBackupResult {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(endLsn, "endLsn");
        Objects.requireNonNull(endTimeline, "endTimeline");
        warnings = List.copyOf(warnings);
    }
}
