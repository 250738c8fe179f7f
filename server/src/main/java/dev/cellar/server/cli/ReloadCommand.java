package dev.cellar.server.cli;

import dev.cellar.server.view.ReloadReport;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code backupctl reload}: the running server reads its configuration file again (as SIGHUP does)
 * and says what changed. A file with problems changes nothing: the server's answer lists them and
 * the command exits with {@code CONFIG_INVALID} (20).
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Make the running server read its configuration file again: added clusters start, removed"
                + " ones stop (their backups stay), changed ones take their new settings. Same as SIGHUP.")
final class ReloadCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ReloadReport report = ApiClient.from(parent.repository).send("POST", "/api/v1/reload", null,
                ReloadReport.class);
        if (json) {
            out.println(ViewJson.write(report));
            return 0;
        }
        Table table = new Table("CLUSTER", "CHANGE", "DETAIL");
        rows(table, report, report.added(), "added");
        rows(table, report, report.removed(), "removed");
        rows(table, report, report.restarted(), "restarted");
        rows(table, report, report.updated(), "updated");
        rows(table, report, report.unchanged(), "unchanged");
        report.details().keySet().stream().filter(c -> !listed(report, c))
                .forEach(c -> table.row(c, "failed", report.details().get(c)));
        table.print(out);
        if (!report.applied().isEmpty()) {
            out.println("applied: " + String.join(", ", report.applied()));
        }
        if (!report.needsRestart().isEmpty()) {
            out.println("needs a restart (the running value stays): " + String.join(", ", report.needsRestart()));
        }
        return 0;
    }

    private static void rows(Table table, ReloadReport report, List<String> clusters, String change) {
        clusters.forEach(c -> table.row(c, change, report.details().get(c)));
    }

    private static boolean listed(ReloadReport report, String cluster) {
        return report.added().contains(cluster) || report.removed().contains(cluster)
                || report.restarted().contains(cluster) || report.updated().contains(cluster)
                || report.unchanged().contains(cluster);
    }
}
