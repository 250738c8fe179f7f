package dev.cellar.server.cli;

import dev.cellar.server.view.BackupView;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code backupctl delete ID [--force]}: deletes a backup through the server. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a backup. Refused while it is kept, has incremental backups built on it, or is one of"
                + " the cluster's last min_full full backups (override the last with --force).")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Parameters(paramLabel = "ID", description = "The backup's ID.")
    String id;

    @Option(names = "--force", description = "Delete even if fewer than min_full restorable full backups remain.")
    boolean force;

    @Option(names = "--json", description = "Print the deleted backup as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BackupView deleted = ApiClient.from(parent.repository).send("DELETE", "/api/v1/backups/"
                + CatalogReads.Remote.encode(id) + (force ? "?force=true" : ""), null, BackupView.class);
        out.println(json ? ViewJson.write(deleted) : "deleted backup " + deleted.id() + " of cluster "
                + deleted.cluster() + " (" + Sizes.human(deleted.storedBytes()) + " freed)");
        return 0;
    }
}
