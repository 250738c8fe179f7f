package dev.cellar.server.cli;

import dev.cellar.server.view.CheckReport;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code backupctl check --cluster c1}: the checklist; exits 1 when any line failed. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check a cluster: connection, replication settings, slot, WAL arriving, backups, disk space,"
                + " gaps. Exits 1 if anything failed.")
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Option(names = "--cluster", required = true, description = "The cluster.")
    String cluster;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CheckReport report = ApiClient.from(parent.repository).get("/api/v1/clusters/"
                + CatalogReads.Remote.encode(cluster) + "/check", CheckReport.class);
        if (json) {
            out.println(ViewJson.write(report));
        } else {
            out.println("cluster " + report.cluster() + ":");
            int width = report.checks().stream().mapToInt(l -> l.name().length()).max().orElse(0);
            for (CheckReport.Line line : report.checks()) {
                out.printf("  %-" + width + "s  %-6s  %s%n", line.name(), line.ok() ? "OK" : "FAILED", line.detail());
                if (!line.ok() && line.hint() != null) {
                    out.printf("  %-" + width + "s          hint: %s%n", "", line.hint());
                }
            }
        }
        return report.ok() ? 0 : BackupCtl.FAILED;
    }
}
