package dev.cellar.restore.plan;

import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.LsnRange;
import dev.cellar.catalog.WalCoverage;
import dev.cellar.catalog.WalCoveragePlanner;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a restore request into a {@link RestorePlan}, or refuses it before anything is written,
 * saying why and what is recoverable instead (DESIGN.md §6, steps 1–3). Pure: the facts come in as
 * values, WAL is read only through the {@link StopLocator}.
 *
 * <p>The rules, as PostgreSQL's recovery applies them:
 * <ul>
 *   <li>The timeline: {@code latest} is the highest timeline whose history the repository holds;
 *       {@code current} the chosen backup's; a number must have its history. Recovery follows
 *       that timeline's history path, and the plan writes the number.</li>
 *   <li>The backup: the newest restorable one whose start and consistency point lie on the path
 *       and that is consistent before the target: its end at or before a target LSN; for a time,
 *       it ended by then and no transaction in its own WAL ended after the target (recovery would
 *       otherwise stop before consistency and refuse to start); for an xid or restore point, the
 *       stop record lies after its end. {@code --backup} replaces "the newest" but not the checks.
 *       An incremental backup brings its chain back to a full one.</li>
 *   <li>The WAL: from the backup's start without a gap to where recovery stops (the stop record's
 *       end, the target LSN, the backup's end for {@code immediate}, the end of the archived WAL
 *       for {@code latest}). A target the WAL does not reach is refused: PostgreSQL would end
 *       recovery early and refuse to start ("recovery ended before configured recovery target was
 *       reached").</li>
 * </ul>
 */
public final class RestorePlanner {
    private final RestoreFacts facts;
    private final RestoreTarget request;
    private final StopLocator locator;
    private final Map<TimelineId, TimelineHistory> histories = new TreeMap<>();

    private RestorePlanner(RestoreFacts facts, RestoreTarget request, StopLocator locator) {
        this.facts = facts;
        this.request = request;
        this.locator = locator;
        histories.put(TimelineId.INITIAL, TimelineHistory.initial());
        for (TimelineHistory history : facts.histories()) {
            histories.put(history.timeline(), history);
        }
    }

    /**
     * @throws CellarException {@link ErrorCode#RESTORE_FAILED} when the target cannot be reached,
     *                         naming the reason and the recoverable windows
     */
    public static RestorePlan plan(RestoreFacts facts, RestoreTarget request, StopLocator locator) {
        return new RestorePlanner(facts, request, locator).plan();
    }

    private RestorePlan plan() {
        if (request.target() instanceof RecoveryTarget.AtTime(var time) && time.isAfter(facts.now())) {
            throw refused("the target time %s is in the future (now is %s)".formatted(time, facts.now()),
                    "choose a time in the past, or restore the latest state (--target latest)",
                    Optional.of(latestPath()));
        }
        Optional<TimelineHistory> fixedPath = switch (request.timeline()) {
            case TargetTimeline.Latest() -> Optional.of(latestPath());
            case TargetTimeline.Exact(var timeline) -> Optional.of(history(timeline));
            case TargetTimeline.Current() -> Optional.empty();
        };
        List<BackupRow> candidates = candidates();
        List<String> passedOver = new ArrayList<>();
        for (BackupRow backup : candidates) {
            TimelineHistory path = fixedPath.orElseGet(() -> history(backup.startTimeline()));
            if (!TimelinePaths.onPath(path, backup)) {
                passedOver.add("backup %s ended on timeline %s at %s, off the path to timeline %s"
                        .formatted(backup.id(), backup.endTimeline().orElseThrow(), backup.endLsn().orElseThrow(),
                                path.timeline()));
                continue;
            }
            Optional<RestorePlan> plan = tryBackup(backup, path, passedOver);
            if (plan.isPresent()) {
                return plan.get();
            }
        }
        TimelineHistory path = fixedPath.orElseGet(this::latestPath);
        String reason = passedOver.isEmpty()
                ? "no restorable backup of cluster %s lies on timeline %s's path".formatted(facts.cluster(), path.timeline())
                : String.join("; ", passedOver);
        throw refused("no backup can reach %s: %s".formatted(describe(request.target()), reason),
                "choose a target inside a recoverable window", Optional.of(path));
    }

    /** The plan starting from {@code backup}, or empty (with the reason added) if the target is before its consistency. */
    private Optional<RestorePlan> tryBackup(BackupRow backup, TimelineHistory path, List<String> passedOver) {
        Lsn start = backup.startLsn();
        Lsn end = backup.endLsn().orElseThrow();
        Lsn reach = TimelinePaths.contiguousEnd(path, facts, start);
        if (reach.isBefore(end)) {
            passedOver.add("backup %s lacks its own WAL (%s to %s)".formatted(backup.id(), start, end));
            return Optional.empty();
        }
        Optional<StopRecord> stop = Optional.empty();
        Lsn walTo;
        List<String> notes = new ArrayList<>();
        switch (request.target()) {
            case RecoveryTarget.Immediate() -> walTo = end;
            case RecoveryTarget.Latest() -> {
                Lsn walEnd = TimelinePaths.walEnd(path, facts.wal());
                if (reach.isBefore(walEnd)) {
                    throw refused(("the archived WAL after backup %s breaks off at %s on the path to timeline %s and"
                            + " resumes later (it ends at %s); recovery to the latest state would silently stop at %s")
                                    .formatted(backup.id(), reach, path.timeline(), walEnd, reach),
                            ("restore to a point before %s explicitly (--target-time or --target-lsn), or choose a target"
                                    + " after a newer backup").formatted(reach), Optional.of(path));
                }
                walTo = reach;
                notes.add("recovery replays all archived WAL, to %s on timeline %s".formatted(reach, path.timeline()));
            }
            case RecoveryTarget.AtLsn(var lsn) -> {
                if (end.isAfter(lsn)) {
                    passedOver.add("backup %s is consistent only at %s, after the target".formatted(backup.id(), end));
                    return Optional.empty();
                }
                if (!reach.isAfter(lsn)) {
                    throw refused("the target %s is beyond the archived WAL after backup %s, which reaches %s%s"
                                    .formatted(lsn, backup.id(), reach, gapAfter(path, reach)),
                            "choose an earlier LSN, or wait until the WAL up to it has been received", Optional.of(path));
                }
                stop = locator.firstStop(request.target(), request.inclusive(), path, start, reach);
                if (stop.isEmpty()) {
                    throw refused(("the archived WAL after backup %s holds no complete record at or after %s (it"
                            + " reaches %s%s): PostgreSQL would end recovery before the target and refuse to start")
                                    .formatted(backup.id(), lsn, reach, gapAfter(path, reach)),
                            "choose an earlier LSN, or wait until more WAL has been received", Optional.of(path));
                }
                walTo = Lsn.max(end, stop.get().end());
            }
            case RecoveryTarget.AtTime(var time) -> {
                if (backup.endTime().isEmpty() || backup.endTime().get().isAfter(time)) {
                    passedOver.add("backup %s ended at %s, after the target".formatted(backup.id(),
                            backup.endTime().map(Object::toString).orElse("an unknown time")));
                    return Optional.empty();
                }
                stop = locator.firstStop(request.target(), request.inclusive(), path, start, reach);
                if (stop.isEmpty()) {
                    throw refused(("no transaction ended after %s in the WAL archived after backup %s (up to %s on"
                            + " timeline %s%s): PostgreSQL would end recovery before reaching the target and refuse to"
                            + " start").formatted(time, backup.id(), reach, path.timeline(), gapAfter(path, reach)),
                            ("if nothing was committed after %s, --target latest restores the same data; otherwise the"
                                    + " WAL after %s is not in the repository (yet): see wal-status").formatted(time,
                                    reach), Optional.of(path));
                }
                if (stop.get().start().isBefore(end)) {
                    passedOver.add("backup %s holds a transaction that ended after the target (%s)"
                            .formatted(backup.id(), stop.get().description()));
                    return Optional.empty();
                }
                walTo = Lsn.max(end, stop.get().end());
            }
            case RecoveryTarget.AtXid x -> {
                stop = locator.firstStop(x, request.inclusive(), path, start, reach);
                if (stop.isEmpty() || stop.get().start().isBefore(end)) {
                    passedOver.add(stop.isEmpty()
                            ? "transaction %d does not end in the WAL after backup %s (%s to %s%s)"
                                    .formatted(x.xid(), backup.id(), start, reach, gapAfter(path, reach))
                            : "transaction %d ended inside backup %s (%s), before it is consistent"
                                    .formatted(x.xid(), backup.id(), stop.get().start()));
                    return Optional.empty();
                }
                walTo = Lsn.max(end, stop.get().end());
            }
            case RecoveryTarget.AtName n -> {
                stop = locator.firstStop(n, request.inclusive(), path, start, reach);
                if (stop.isEmpty() || stop.get().start().isBefore(end)) {
                    passedOver.add(stop.isEmpty()
                            ? "restore point \"%s\" is not in the WAL after backup %s (%s to %s%s)"
                                    .formatted(n.name(), backup.id(), start, reach, gapAfter(path, reach))
                            : "restore point \"%s\" lies inside backup %s (%s), before it is consistent"
                                    .formatted(n.name(), backup.id(), stop.get().start()));
                    return Optional.empty();
                }
                walTo = Lsn.max(end, stop.get().end());
            }
        }
        WalCoverage coverage = WalCoveragePlanner.plan(path, facts.segmentSize(), start, walTo, facts.wal());
        if (!coverage.isComplete()) {
            // contiguousEnd said otherwise: only a file of another segment size could cause this.
            throw refused("the WAL from %s to %s is missing %s".formatted(start, walTo,
                            coverage.gaps().stream().map(LsnRange::toString).collect(Collectors.joining(", "))),
                    "the repository lacks WAL; see wal-status", Optional.of(path));
        }
        stop.ifPresent(s -> notes.add("recovery stops at the " + s.description()));
        return Optional.of(new RestorePlan(facts.cluster(), request, chain(backup), path, start, walTo,
                coverage.segments(), stagedHistories(path), stop, notes));
    }

    /**
     * When the archived WAL along {@code path} breaks off at {@code reach} and resumes later, the
     * missing range for the message ({@code ; WAL from A to B on timeline T is missing}); else empty.
     */
    private String gapAfter(TimelineHistory path, Lsn reach) {
        Lsn walEnd = TimelinePaths.walEnd(path, facts.wal());
        if (!walEnd.isAfter(reach)) {
            return "";
        }
        WalCoverage rest = WalCoveragePlanner.plan(path, facts.segmentSize(), reach, walEnd, facts.wal());
        return rest.gaps().isEmpty() ? "" : "; WAL from %s to %s on timeline %s is missing (a gap)".formatted(
                rest.gaps().getFirst().from(), rest.gaps().getFirst().to(), rest.gaps().getFirst().timeline());
    }

    /** Restorable backups, newest consistency point first; only the requested one with {@code --backup}. */
    private List<BackupRow> candidates() {
        Comparator<BackupRow> newestFirst = Comparator.comparing((BackupRow b) -> b.endLsn().orElseThrow())
                .thenComparing(b -> b.endTime().orElseThrow())
                .thenComparing(BackupRow::id)
                .reversed();
        if (request.backupId().isPresent()) {
            String id = request.backupId().get();
            BackupRow backup = facts.backups().stream().filter(b -> b.id().equals(id)).findFirst()
                    .orElseThrow(() -> refused("cluster %s has no backup %s".formatted(facts.cluster(), id),
                            "list the cluster's backups to see which exist", Optional.empty()));
            if (!backup.isRestorable()) {
                throw refused("backup %s is %s%s, not restorable".formatted(id, status(backup),
                                backup.failureMessage().map(m -> " (" + m + ")").orElse("")),
                        "choose a complete backup", Optional.empty());
            }
            return List.of(backup);
        }
        return facts.backups().stream().filter(BackupRow::isRestorable).sorted(newestFirst).toList();
    }

    /** The full backup, the incrementals on the way, then {@code backup}. */
    private List<BackupRow> chain(BackupRow backup) {
        Map<String, BackupRow> byId = facts.backups().stream()
                .collect(Collectors.toMap(BackupRow::id, Function.identity(), (a, b) -> a));
        List<BackupRow> chain = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        BackupRow current = backup;
        while (true) {
            if (!seen.add(current.id())) {
                throw refused("the chain of backup %s loops through %s".formatted(backup.id(), seen),
                        "the catalog is damaged; rebuild it from the repository", Optional.empty());
            }
            chain.addFirst(current);
            if (current.kind() == BackupKind.FULL) {
                return chain;
            }
            String parentId = current.parentId().orElseThrow();
            BackupRow parent = byId.get(parentId);
            if (parent == null || !parent.isRestorable()) {
                throw refused("backup %s needs backup %s, which is %s".formatted(current.id(), parentId,
                                parent == null ? "gone" : status(parent)),
                        "restore another backup (--backup ID), or take a new full backup", Optional.empty());
            }
            current = parent;
        }
    }

    /**
     * Every history file the repository holds, not only the path's: at promotion PostgreSQL picks
     * the next timeline number after the newest history it can find, and must not reuse one the
     * cluster already has (two different histories of one timeline would confuse later restores).
     */
    private List<TimelineHistory> stagedHistories(TimelineHistory path) {
        List<TimelineHistory> staged = new ArrayList<>();
        for (TimelineHistory history : histories.values()) {
            if (!history.timeline().equals(TimelineId.INITIAL)) {
                staged.add(history);
            }
        }
        return staged;
    }

    private TimelineHistory latestPath() {
        return histories.get(((TreeMap<TimelineId, TimelineHistory>) histories).lastKey());
    }

    private TimelineHistory history(TimelineId timeline) {
        TimelineHistory history = histories.get(timeline);
        if (history == null) {
            throw refused("timeline %s of cluster %s has no history file in the repository".formatted(timeline,
                            facts.cluster()),
                    "known timelines: " + histories.keySet().stream().map(Object::toString)
                            .collect(Collectors.joining(", ")), Optional.empty());
        }
        return history;
    }

    private static String status(BackupRow backup) {
        return backup.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** The target in words, e.g. {@code time 2026-11-20T10:00:00Z}, {@code restore point "x"}. */
    public static String describeTarget(RecoveryTarget target) {
        return describe(target);
    }

    static String describe(RecoveryTarget target) {
        return switch (target) {
            case RecoveryTarget.Latest() -> "the latest state";
            case RecoveryTarget.Immediate() -> "the end of a backup";
            case RecoveryTarget.AtTime(var time) -> "time " + time;
            case RecoveryTarget.AtLsn(var lsn) -> "LSN " + lsn;
            case RecoveryTarget.AtXid(var xid) -> "transaction " + xid;
            case RecoveryTarget.AtName(var name) -> "restore point \"" + name + "\"";
        };
    }

    private CellarException refused(String problem, String hint, Optional<TimelineHistory> path) {
        String windows = path.map(p -> "; " + RecoverableWindows.describe(p, facts)).orElse("");
        return new CellarException(ErrorCode.RESTORE_FAILED,
                "cluster %s: cannot restore to %s: %s".formatted(facts.cluster(), describe(request.target()), problem),
                hint + windows);
    }
}
