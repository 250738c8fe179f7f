package dev.cellar.restore.plan;

import dev.cellar.catalog.BackupRow;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The stretches of a timeline path a restore can reach: from the consistency point of a
 * restorable backup to where the archived WAL after its start first breaks off. Named in every
 * refusal, so the user sees what is possible instead. Pure.
 */
public final class RecoverableWindows {

    /**
     * @param from     the earliest reachable position: a backup's consistency point
     * @param fromTime when that backup ended
     * @param backupId that backup
     * @param to       the end of the WAL that follows it without a gap
     */
    public record Window(Lsn from, Optional<Instant> fromTime, String backupId, Lsn to) {
        @Override
        public String toString() {
            return "%s (end of backup %s%s) to %s".formatted(from, backupId,
                    fromTime.map(t -> ", " + t).orElse(""), to);
        }
    }

    private RecoverableWindows() {
    }

    /** The windows of {@code path}, oldest first, overlapping ones merged. */
    static List<Window> of(TimelineHistory path, RestoreFacts facts) {
        List<BackupRow> backups = facts.backups().stream()
                .filter(BackupRow::isRestorable)
                .filter(b -> TimelinePaths.onPath(path, b))
                .sorted(Comparator.comparing((BackupRow b) -> b.endLsn().orElseThrow()))
                .toList();
        List<Window> windows = new ArrayList<>();
        for (BackupRow backup : backups) {
            Lsn end = backup.endLsn().orElseThrow();
            Lsn reach = TimelinePaths.contiguousEnd(path, facts, backup.startLsn());
            if (reach.isBefore(end)) {
                continue; // its own WAL is incomplete: not restorable at all
            }
            if (!windows.isEmpty() && !windows.getLast().to().isBefore(end)) {
                Window last = windows.getLast();
                windows.set(windows.size() - 1, new Window(last.from(), last.fromTime(), last.backupId(),
                        Lsn.max(last.to(), reach)));
            } else {
                windows.add(new Window(end, backup.endTime(), backup.id(), reach));
            }
        }
        return List.copyOf(windows);
    }

    /**
     * The windows of the newest timeline the repository has a history for (the path a restore to
     * the latest state follows): what {@code backupctl status} shows as recoverable.
     */
    public static List<Window> ofLatestTimeline(RestoreFacts facts) {
        TimelineHistory latest = facts.histories().stream()
                .max(Comparator.comparing(TimelineHistory::timeline))
                .orElseGet(TimelineHistory::initial);
        return of(latest, facts);
    }

    /** For messages: {@code recoverable on timeline 2: A to B; C to D}, or that nothing is. */
    static String describe(TimelineHistory path, RestoreFacts facts) {
        List<Window> windows = of(path, facts);
        if (windows.isEmpty()) {
            return "nothing on timeline %s of cluster %s is recoverable: it has no restorable backup whose WAL is complete"
                    .formatted(path.timeline(), facts.cluster());
        }
        return "recoverable on timeline %s: %s".formatted(path.timeline(),
                windows.stream().map(Window::toString).collect(Collectors.joining("; ")));
    }
}
