package dev.cellar.server.cli;

import dev.cellar.server.view.BackupDetail;
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

/** {@code backupctl show-backup ID}: one backup in detail. */
@Command(name = "show-backup", mixinStandardHelpOptions = true,
        description = "Show one backup: positions, sizes, chain, databases, tablespaces, keep.")
final class ShowBackupCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Parameters(paramLabel = "ID", description = "The backup's ID.")
    String id;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        BackupDetail detail;
        try (CatalogReads reads = CatalogReads.open(parent.repository, spec.commandLine().getErr())) {
            detail = reads.backup(id);
        }
        if (json) {
            out.println(ViewJson.write(detail));
            return 0;
        }
        BackupView b = detail.backup();
        Table table = new Table("", "");
        table.row("backup", b.id()).row("cluster", b.cluster()).row("kind", b.kind())
                .row("parent", b.parent()).row("status", b.status() + (b.restorable() ? " (restorable)" : ""))
                .row("started", Times.short_(b.startTime())).row("ended", Times.short_(b.endTime()))
                .row("duration", b.seconds() == null ? null : "%.1f s".formatted(b.seconds()))
                .row("start LSN", b.startLsn()).row("end LSN", b.endLsn()).row("timeline", b.timeline())
                .row("PostgreSQL", b.pgVersion()).row("taken from", b.backupFrom())
                .row("size", Sizes.human(b.logicalBytes())).row("stored", Sizes.human(b.storedBytes()))
                .row("kept", b.keepForever() ? "for ever" : b.keepUntil() == null ? null
                        : "until " + Times.short_(b.keepUntil()))
                .row("chain", detail.chain().isEmpty() ? null : String.join(" -> ", detail.chain()))
                .row("children", detail.children().isEmpty() ? null : String.join(", ", detail.children()))
                .row("databases", detail.databases().isEmpty() ? null : String.join(", ", detail.databases().stream()
                        .map(d -> d.name() + " (" + d.oid() + ")").toList()));
        for (BackupDetail.Tablespace t : detail.tablespaces()) {
            table.row("tablespace", t.name() + " (" + t.oid() + ") at " + t.location());
        }
        if (b.failure() != null) {
            table.row("failure", b.failure());
        }
        table.print(out);
        return 0;
    }
}
