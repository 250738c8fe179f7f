package dev.cellar.server.cli;

import dev.cellar.server.view.JobProgressView;
import dev.cellar.server.view.RestorePlanView;
import dev.cellar.server.view.RestoreReport;
import dev.cellar.server.view.RestoreResultView;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.stream.Collectors;

/** How {@code backupctl restore} prints a plan and a result, the same whether it restored itself or the server did. */
final class RestoreOutput {
    private RestoreOutput() {
    }

    static void printPlan(PrintWriter out, RestorePlanView plan) {
        out.println("Restore plan for cluster " + plan.cluster());
        out.println("  target:    " + plan.target() + (plan.inclusive() ? "" : " (exclusive)") + ", then "
                + plan.action());
        plan.readings().forEach(reading -> out.println("             " + reading));
        out.println("  backup:    " + String.join(" + ", plan.backups()) + " (" + plan.backupKind() + ", ended "
                + (plan.backupEndTime() == null ? "?" : plan.backupEndTime()) + " at " + plan.backupEndLsn()
                + " on timeline " + plan.backupTimeline() + ")");
        out.println("  timeline:  " + plan.timeline() + " (path " + plan.timelinePath().stream().map(String::valueOf)
                .collect(Collectors.joining(" -> ")) + ")");
        out.println("  WAL:       " + plan.walFrom() + " to " + plan.walTo() + ", " + plan.walFiles() + " files, "
                + Sizes.human(plan.walBytes()));
        if (plan.stop() != null) {
            out.println("  stops at:  " + plan.stop());
        }
        out.println("  data:      about " + Sizes.human(plan.dataBytes()));
        plan.notes().forEach(note -> out.println("  note:      " + note));
    }

    /** What a dry run prints: the plan, as text or as JSON. */
    static int printDryRun(PrintWriter out, RestorePlanView plan, boolean json) {
        if (json) {
            out.println(ViewJson.write(new RestoreReport(plan, null)));
        } else {
            printPlan(out, plan);
            out.println("dry run: nothing written");
        }
        return 0;
    }

    /** @param onServer the server wrote it, on its machine */
    static void printResult(PrintWriter out, RestoreResultView result, boolean onServer) {
        out.println("Restored into " + result.destination() + (onServer ? " on the server's machine" : "") + " in "
                + result.seconds() + " s: " + Sizes.human(result.dataBytes()) + " of data"
                + (result.walFiles() > 0 ? ", " + result.walFiles() + " WAL and history files ("
                + Sizes.human(result.walBytes()) + ") staged in cellar_wal/" : ", WAL fetched at recovery time"));
        result.tablespaces().forEach((oid, path) -> out.println("  tablespace " + oid + " -> " + path));
        result.removed().forEach(line -> out.println("  removed: " + line));
        out.println("  recovery settings in postgresql.auto.conf:");
        result.settings().forEach((name, value) -> out.println("    " + name + " = '" + value + "'"));
        out.println("Start it with: pg_ctl -D " + result.destination() + " start"
                + (onServer ? " on the server's machine (the files belong to the server's user;"
                : " (as the directory's owner;") + " when restoring as root, chown -R it to the postgres user first)");
    }

    static ProgressDisplay.Snapshot snapshot(JobProgressView progress) {
        return new ProgressDisplay.Snapshot(progress.phase(), progress.bytesDone(),
                progress.bytesTotal() == null ? 0 : progress.bytesTotal(),
                progress.bytesPerSecond() == null ? 0 : progress.bytesPerSecond(),
                progress.etaSeconds() == null ? null : Duration.ofMillis((long) (progress.etaSeconds() * 1000)));
    }
}
