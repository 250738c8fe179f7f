package dev.cellar.server.cli;

import dev.cellar.catalog.BackupRow;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.restore.PointInTimeRestore;
import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.export.ExportProgress;
import dev.cellar.restore.export.ExportResult;
import dev.cellar.restore.export.RestoreExport;
import dev.cellar.restore.plan.RecoveryTarget;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestorePlanner;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.restore.plan.StopRecord;
import dev.cellar.restore.plan.TargetAction;
import dev.cellar.restore.plan.TargetTime;
import dev.cellar.restore.plan.TargetTimeline;
import dev.cellar.storage.repository.Repository;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code backupctl restore}: a point-in-time restore into a new data directory. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Export a data directory of a cluster as it was at a target, ready for pg_ctl start.",
                "The plan is checked before anything is written: a target outside the recoverable window,"
                        + " a WAL gap or a non-empty destination is refused with the reason."})
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Option(names = "--cluster", required = true, description = "The cluster to restore.")
    String cluster;

    @ArgGroup(exclusive = true)
    Target target;

    static final class Target {
        @Option(names = "--target-time", paramLabel = "TIME", description = {"Stop before the first transaction that"
                + " ended after TIME, e.g. '2026-11-20 10:00:00+00'.", "Without an offset, TIME is read in this"
                + " machine's time zone (said in the output); Cellar writes it with an explicit offset."})
        String time;

        @Option(names = "--target-lsn", paramLabel = "LSN", description = "Stop at this WAL position.")
        String lsn;

        @Option(names = "--target-xid", paramLabel = "XID", description = "Stop at the end of this transaction.")
        Long xid;

        @Option(names = "--target-name", paramLabel = "NAME", description = "Stop at this restore point"
                + " (pg_create_restore_point).")
        String name;

        @Option(names = "--target", paramLabel = "immediate|latest", description = "immediate: the end of the"
                + " backup; latest (the default): replay all archived WAL.")
        String keyword;
    }

    @Option(names = "--target-timeline", paramLabel = "N|latest|current", defaultValue = "latest",
            description = "The timeline to follow (default ${DEFAULT-VALUE}).")
    String timeline;

    @Option(names = "--exclusive", description = "Stop just before the target instead of just after it.")
    boolean exclusive;

    @Option(names = "--target-action", paramLabel = "promote|pause|shutdown", defaultValue = "promote",
            description = "What the restored server does at the target (default ${DEFAULT-VALUE}).")
    String action;

    @Option(names = "--backup", paramLabel = "ID", description = "Restore this backup instead of the newest that fits.")
    String backupId;

    @Option(names = "--dest", paramLabel = "DIR", description = "The new data directory: empty or absent.")
    Path destination;

    @Option(names = "--tablespace-map", paramLabel = "OID_OR_NAME=DIR",
            description = "Put a tablespace elsewhere than its original location (repeatable).")
    Map<String, Path> tablespaceMap = new LinkedHashMap<>();

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Parallel unpacking (default: processors).")
    Integer jobs;

    @Option(names = "--remote-wal", description = "Instead of staging WAL inside the export, fetch it at recovery"
            + " time with 'backupctl wal-get' from this repository (needs backupctl on the server's PATH).")
    boolean remoteWal;

    @Option(names = "--databases", paramLabel = "NAME", split = ",", description = {"Restore only these databases"
            + " (and postgres, template0, template1) with their data; the others come back empty (sparse, zeroed"
            + " relation files) and must be dropped once the server is promoted."})
    List<String> databases = new ArrayList<>();

    @Option(names = "--no-sync", description = "Do not fsync the export (faster; only for throwaway restores).")
    boolean noSync;

    @Option(names = "--dry-run", description = "Print the plan and write nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the plan and the result as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (destination == null && !dryRun) {
            throw new IllegalArgumentException("--dest DIR is required (or --dry-run to only see the plan)");
        }
        List<String> readings = new ArrayList<>();
        RestoreTarget request = request(readings);
        Repository repo = parent.repository.openRepository();
        RestorePlan plan;
        try (RepositoryOptions.OpenedCatalog opened = parent.repository.openCatalog(repo, err)) {
            plan = PointInTimeRestore.plan(repo, opened.catalog(), cluster, request, Clock.systemUTC());
        }
        if (dryRun) {
            if (json) {
                out.println(ViewJson.write(Map.of("plan", describe(plan, readings))));
            } else {
                printPlan(out, plan, readings);
                out.println("dry run: nothing written");
            }
            return 0;
        }
        if (!json) {
            printPlan(out, plan, readings);
        }
        ExportOptions options = ExportOptions.into(destination).withTablespaceMap(tablespaceMap);
        if (jobs != null) {
            options = options.withJobs(jobs);
        }
        if (remoteWal) {
            options = options.withRemoteWal("backupctl --repository %s wal-get --cluster %s %%f %%p"
                    .formatted(shellQuoted(parent.repository.repositoryPath().toString()), shellQuoted(cluster)));
        }
        if (noSync) {
            options = options.withSync(false);
        }
        if (!databases.isEmpty()) {
            options = options.withDatabases(new java.util.LinkedHashSet<>(databases));
        }
        RestoreExport export = new RestoreExport(repo, plan, options, Clock.systemUTC());
        ExportResult result;
        try (ProgressDisplay display = ProgressDisplay.start(json ? err : out, BackupCtl.interactive(),
                () -> snapshot(export.progress()))) {
            result = export.run();
        }
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("plan", describe(plan, readings));
            document.put("result", describe(result));
            out.println(ViewJson.write(document));
        } else {
            printResult(out, result);
        }
        return 0;
    }

    private RestoreTarget request(List<String> readings) {
        RecoveryTarget recoveryTarget = new RecoveryTarget.Latest();
        if (target != null) {
            if (target.time != null) {
                TargetTime time = TargetTime.parse(target.time, ZoneId.systemDefault());
                time.assumedZone().ifPresent(zone -> readings.add(time.explanation()));
                recoveryTarget = new RecoveryTarget.AtTime(time.instant());
            } else if (target.lsn != null) {
                recoveryTarget = new RecoveryTarget.AtLsn(Lsn.parse(target.lsn));
            } else if (target.xid != null) {
                recoveryTarget = new RecoveryTarget.AtXid(target.xid);
            } else if (target.name != null) {
                recoveryTarget = new RecoveryTarget.AtName(target.name);
            } else {
                recoveryTarget = switch (target.keyword.toLowerCase(Locale.ROOT)) {
                    case "immediate" -> new RecoveryTarget.Immediate();
                    case "latest" -> new RecoveryTarget.Latest();
                    default -> throw new IllegalArgumentException("--target takes immediate or latest, not "
                            + target.keyword);
                };
            }
        }
        TargetAction targetAction;
        try {
            targetAction = TargetAction.valueOf(action.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--target-action takes promote, pause or shutdown, not " + action);
        }
        return new RestoreTarget(recoveryTarget, TargetTimeline.parse(timeline), !exclusive, targetAction,
                Optional.ofNullable(backupId));
    }

    /** A word for /bin/sh: single-quoted, a quote inside as '\''. */
    static String shellQuoted(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static ProgressDisplay.Snapshot snapshot(ExportProgress progress) {
        return new ProgressDisplay.Snapshot(progress.phase().words(), progress.done(), progress.total(),
                progress.bytesPerSecond().orElse(0), progress.eta().orElse(null));
    }

    private static void printPlan(PrintWriter out, RestorePlan plan, List<String> readings) {
        BackupRow backup = plan.backup();
        out.println("Restore plan for cluster " + plan.cluster());
        out.println("  target:    " + RestorePlanner.describeTarget(plan.target().target())
                + (plan.target().inclusive() ? "" : " (exclusive)") + ", then " + plan.target().action().setting());
        readings.forEach(reading -> out.println("             " + reading));
        out.println("  backup:    " + plan.chain().stream().map(BackupRow::id).collect(Collectors.joining(" + "))
                + " (" + backup.kind().name().toLowerCase(Locale.ROOT) + ", ended "
                + backup.endTime().map(Object::toString).orElse("?") + " at " + backup.endLsn().orElseThrow()
                + " on timeline " + backup.endTimeline().orElseThrow() + ")");
        out.println("  timeline:  " + plan.path().timeline() + " (path " + plan.path().path().stream()
                .map(TimelineHistory.Span::timeline).map(Object::toString).collect(Collectors.joining(" -> ")) + ")");
        out.println("  WAL:       " + plan.walFrom() + " to " + plan.walTo() + ", " + plan.wal().size() + " files, "
                + Sizes.human(plan.walBytes()));
        plan.stop().map(StopRecord::description).ifPresent(stop -> out.println("  stops at:  " + stop));
        out.println("  data:      about " + Sizes.human(plan.dataBytes()));
        plan.notes().forEach(note -> out.println("  note:      " + note));
    }

    private static void printResult(PrintWriter out, ExportResult result) {
        out.println("Restored into " + result.destination() + " in " + result.elapsed().toMillis() / 1000.0 + " s: "
                + Sizes.human(result.dataBytes()) + " of data"
                + (result.walFiles() > 0 ? ", " + result.walFiles() + " WAL and history files ("
                + Sizes.human(result.walBytes()) + ") staged in cellar_wal/" : ", WAL fetched at recovery time"));
        result.tablespaces().forEach((oid, path) -> out.println("  tablespace " + oid + " -> " + path));
        result.removed().forEach(line -> out.println("  removed: " + line));
        out.println("  recovery settings in postgresql.auto.conf:");
        result.settings().forEach((name, value) -> out.println("    " + name + " = '" + value + "'"));
        out.println("Start it with: pg_ctl -D " + result.destination() + " start"
                + " (as the directory's owner; when restoring as root, chown -R it to the postgres user first)");
    }

    private static Map<String, Object> describe(RestorePlan plan, List<String> readings) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("cluster", plan.cluster());
        map.put("target", RestorePlanner.describeTarget(plan.target().target()));
        map.put("inclusive", plan.target().inclusive());
        map.put("action", plan.target().action().setting());
        map.put("readings", readings);
        map.put("backups", plan.chain().stream().map(BackupRow::id).toList());
        map.put("timeline", plan.path().timeline().value());
        map.put("walFrom", plan.walFrom().toString());
        map.put("walTo", plan.walTo().toString());
        map.put("walFiles", plan.wal().size());
        map.put("walBytes", plan.walBytes());
        map.put("dataBytes", plan.dataBytes());
        map.put("stop", plan.stop().map(StopRecord::description).orElse(null));
        map.put("notes", plan.notes());
        return map;
    }

    private static Map<String, Object> describe(ExportResult result) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("destination", result.destination().toString());
        map.put("tablespaces", result.tablespaces().entrySet().stream()
                .collect(Collectors.toMap(e -> String.valueOf(e.getKey()), e -> e.getValue().toString())));
        map.put("dataBytes", result.dataBytes());
        map.put("walFiles", result.walFiles());
        map.put("walBytes", result.walBytes());
        map.put("settings", result.settings());
        map.put("removed", result.removed());
        map.put("seconds", result.elapsed().toMillis() / 1000.0);
        return map;
    }
}
