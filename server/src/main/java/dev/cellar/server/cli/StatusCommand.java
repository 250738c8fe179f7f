package dev.cellar.server.cli;

import dev.cellar.server.view.BackupRunView;
import dev.cellar.server.view.ClusterStatus;
import dev.cellar.server.view.StatusReport;
import dev.cellar.server.view.ViewJson;
import dev.cellar.server.view.WindowView;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code backupctl status}: every cluster's stream, newest backup, recoverable window and
 * problems, from the running server. Exits 1 when any cluster has a problem, so it can be a cron
 * or monitoring probe.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every cluster: WAL streaming and lag, last backup, recoverable window, problems.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        StatusReport report = ApiClient.from(parent.repository).get("/api/v1/status", StatusReport.class);
        boolean problems = report.clusters().stream().anyMatch(c -> !c.problems().isEmpty());
        if (json) {
            out.println(ViewJson.write(report));
            return problems ? BackupCtl.FAILED : 0;
        }
        Table table = new Table("CLUSTER", "PG", "STREAM", "LAG", "LAST BACKUP", "AGE", "RECOVERABLE FROM", "TO LSN",
                "PROBLEMS");
        for (ClusterStatus c : report.clusters()) {
            WindowView first = c.recoverable().isEmpty() ? null : c.recoverable().getFirst();
            WindowView last = c.recoverable().isEmpty() ? null : c.recoverable().getLast();
            table.row(c.name(), c.pgMajor(), c.stream() == null ? null : c.stream().state(),
                    c.stream() == null ? null : Sizes.human(c.stream().lagBytes()),
                    c.lastBackup() == null ? null : c.lastBackup().id() + " " + c.lastBackup().status(),
                    c.lastRestorable() == null || c.lastRestorable().endTime() == null ? null
                            : Times.age(Duration.between(c.lastRestorable().endTime(), report.at())),
                    first == null ? null : Times.short_(first.fromTime()), last == null ? null : last.toLsn(),
                    c.problems().size());
        }
        table.print(out);
        for (ClusterStatus c : report.clusters()) {
            BackupRunView run = c.runningBackup();
            if (run != null) {
                out.printf("%s: backup running (job %d): %s, %s%s%n", c.name(), run.jobId(), run.phase(),
                        Sizes.human(run.bytesDone()), run.bytesEstimated() == null ? ""
                                : " of " + Sizes.human(run.bytesEstimated()));
            }
            for (String problem : c.problems()) {
                out.println(c.name() + ": " + problem);
            }
        }
        return problems ? BackupCtl.FAILED : 0;
    }
}
