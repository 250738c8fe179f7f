package dev.cellar.server.view;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a configuration reload did ({@code POST /api/v1/reload}, {@code backupctl reload}).
 *
 * @param added        clusters that started (stream and schedules), in configuration order
 * @param removed      clusters that stopped; their backups and WAL stay, listed and restorable
 * @param restarted    clusters whose WAL stream stopped and started again with new settings
 * @param updated      clusters whose new settings apply without restarting the stream (schedules,
 *                     backup options, retention)
 * @param unchanged    clusters whose settings are the same
 * @param applied      server keys that changed and apply at once ({@code server.token},
 *                     {@code server.max_concurrent_backups})
 * @param needsRestart server keys that changed but keep their running value until the server
 *                     starts again ({@code repository.path}, {@code server.listen}, {@code offsite})
 * @param details      per cluster that changed: which keys, and how its stream stopped
 */
public record ReloadReport(Instant at, List<String> added, List<String> removed, List<String> restarted,
                           List<String> updated, List<String> unchanged, List<String> applied,
                           List<String> needsRestart, Map<String, String> details) {
}
