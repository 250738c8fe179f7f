package dev.cellar.server.view;

import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/clusters/{cluster}/restores}: the options of {@code backupctl
 * restore}, under the names docs/api.md lists. Absent values are {@code null} and take the
 * command's defaults. At most one of {@code target}, {@code targetTime}, {@code targetLsn},
 * {@code targetXid} and {@code targetName} is given.
 *
 * @param target         {@code immediate} or {@code latest} (the default when no target is given)
 * @param targetTime     a time with an explicit offset ({@code 2026-11-20 10:00:00+00},
 *                       {@code 2026-11-20T10:00:00Z}); the server refuses one without, because its
 *                       time zone is not the caller's
 * @param targetLsn      a WAL position such as {@code 0/3000028}
 * @param targetXid      a transaction ID (64-bit from {@code pg_current_xact_id()} accepted)
 * @param targetName     a restore point
 * @param targetTimeline {@code latest} (default), {@code current} or a number
 * @param exclusive      stop just before the target (default false)
 * @param targetAction   {@code promote} (default), {@code pause} or {@code shutdown}
 * @param backup         the backup to restore instead of the newest that fits
 * @param dest           the new data directory, an absolute path on the server's machine
 * @param jobs           parallel unpacking (default: the server's processors)
 * @param tablespaceMap  tablespace OID or name to an absolute path on the server's machine
 * @param databases      restore only these databases with their data
 * @param remoteWal      the {@code restore_command} to write instead of staging WAL in the export
 *                       (must hold {@code %f} and {@code %p}); {@code backupctl restore --remote-wal}
 *                       sends one calling {@code backupctl wal-get}
 * @param sync           fsync what is written (default true)
 * @param dryRun         only plan: answer the plan, write nothing
 */
public record RestoreRequest(String target, String targetTime, String targetLsn, Long targetXid, String targetName,
                             String targetTimeline, Boolean exclusive, String targetAction, String backup, String dest,
                             Integer jobs, Map<String, String> tablespaceMap, List<String> databases,
                             String remoteWal, Boolean sync, Boolean dryRun) {
}
