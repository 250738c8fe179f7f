package dev.cellar.server.cli;

import dev.cellar.server.view.ViewJson;
import dev.cellar.server.view.WalStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code backupctl wal-status --cluster c1}: archived WAL per timeline, and gaps. */
@Command(name = "wal-status", mixinStandardHelpOptions = true,
        description = "Show a cluster's archived WAL: timelines, first and last segment, gaps.")
final class WalStatusCommand implements Callable<Integer> {
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
        WalStatus wal;
        try (CatalogReads reads = CatalogReads.open(parent.repository, spec.commandLine().getErr())) {
            wal = reads.wal(cluster);
        }
        if (json) {
            out.println(ViewJson.write(wal));
            return 0;
        }
        out.printf("cluster %s: %d WAL files, %s (%s stored)%n", cluster, wal.segments(), Sizes.human(wal.logicalBytes()),
                Sizes.human(wal.storedBytes()));
        Table timelines = new Table("TLI", "PARENT", "SWITCH LSN", "FIRST SEGMENT", "LAST SEGMENT", "END LSN", "FILES");
        for (WalStatus.Timeline t : wal.timelines()) {
            timelines.row(t.timeline(), t.parent(), t.switchLsn(), t.first(), t.last(), t.endLsn(), t.segments());
        }
        timelines.print(out);
        if (wal.gaps().isEmpty()) {
            out.println("no gaps");
            return 0;
        }
        out.println();
        Table gaps = new Table("GAP ON TLI", "FROM", "TO", "DETECTED", "REASON");
        for (WalStatus.Gap g : wal.gaps()) {
            gaps.row(g.timeline(), g.fromLsn(), g.toLsn(), Times.short_(g.detectedAt()), g.reason());
        }
        gaps.print(out);
        return 0;
    }
}
