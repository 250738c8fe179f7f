package dev.cellar.server.view;

import java.time.Instant;
import java.util.List;

/** {@code backupctl status}: every cluster, configured or still catalogued. */
public record StatusReport(Instant at, List<ClusterStatus> clusters) {
}
