package dev.cellar.server.cli;

import dev.cellar.server.view.BackupView;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code backupctl list-backups}: a cluster's backups, oldest first. */
@Command(name = "list-backups", mixinStandardHelpOptions = true, description = "List a cluster's backups.")
final class ListBackupsCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Option(names = "--cluster", required = true, description = "The cluster.")
    String cluster;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<BackupView> backups;
        try (CatalogReads reads = CatalogReads.open(parent.repository, spec.commandLine().getErr())) {
            backups = reads.backups(cluster);
        }
        if (json) {
            out.println(ViewJson.write(backups));
            return 0;
        }
        if (backups.isEmpty()) {
            out.println("cluster " + cluster + " has no backups");
            return 0;
        }
        Table table = new Table("ID", "KIND", "PARENT", "STATUS", "ENDED", "END LSN", "TLI", "SIZE", "STORED", "KEPT");
        for (BackupView b : backups) {
            table.row(b.id(), b.kind(), b.parent(), b.status(), Times.short_(b.endTime()), b.endLsn(), b.timeline(),
                    Sizes.human(b.logicalBytes()), Sizes.human(b.storedBytes()),
                    b.keepForever() ? "forever" : b.keepUntil() == null ? null : "until " + Times.short_(b.keepUntil()));
        }
        table.print(out);
        return 0;
    }
}
