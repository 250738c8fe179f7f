package dev.cellar.server.cli;

import dev.cellar.server.view.ClusterSummary;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code backupctl list-clusters}: the configured clusters, and those only the repository remembers. */
@Command(name = "list-clusters", mixinStandardHelpOptions = true,
        description = "List the clusters: configured ones and those the repository still holds.")
final class ListClustersCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<ClusterSummary> clusters;
        try (CatalogReads reads = CatalogReads.open(parent.repository, spec.commandLine().getErr())) {
            clusters = reads.clusters();
        }
        if (json) {
            out.println(ViewJson.write(clusters));
            return 0;
        }
        Table table = new Table("CLUSTER", "CONFIGURED", "PG", "SYSTEM ID", "SLOT", "STREAM", "BACKUPS", "WAL FILES",
                "STORED");
        for (ClusterSummary c : clusters) {
            table.row(c.name(), c.configured() ? "yes" : "no", c.pgMajor(), c.systemIdentifier(), c.slot(),
                    c.streamState(), c.backups(), c.walSegments(), Sizes.human(c.storedBytes()));
        }
        table.print(out);
        return 0;
    }
}
