package dev.cellar.server.cli;

import dev.cellar.catalog.BackupRow;
import dev.cellar.storage.repository.Repository;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
        Repository repo = parent.repository.openRepository();
        List<BackupRow> backups;
        try (RepositoryOptions.OpenedCatalog opened = parent.repository.openCatalog(repo, spec.commandLine().getErr())) {
            if (opened.catalog().clusters().find(cluster).isEmpty()) {
                throw new dev.cellar.core.CellarException(dev.cellar.core.ErrorCode.CATALOG_FAILED,
                        "no cluster \"" + cluster + "\" in the catalog", "known clusters: " + opened.catalog()
                        .clusters().list().stream().map(dev.cellar.catalog.ClusterRow::name).toList());
            }
            backups = opened.catalog().backups().list(cluster);
        }
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (BackupRow b : backups) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", b.id());
                row.put("kind", b.kind().name().toLowerCase(Locale.ROOT));
                row.put("parent", b.parentId().orElse(null));
                row.put("status", status(b));
                row.put("startTime", b.startTime());
                row.put("endTime", b.endTime().orElse(null));
                row.put("startLsn", b.startLsn().toString());
                row.put("endLsn", b.endLsn().map(Object::toString).orElse(null));
                row.put("timeline", b.endTimeline().orElse(b.startTimeline()).value());
                row.put("logicalBytes", b.logicalSize());
                row.put("storedBytes", b.storedSize());
                row.put("backupFrom", b.backupFrom().name().toLowerCase(Locale.ROOT));
                row.put("failure", b.failureMessage().orElse(null));
                rows.add(row);
            }
            out.println(Json.write(rows));
            return 0;
        }
        if (backups.isEmpty()) {
            out.println("cluster " + cluster + " has no backups");
            return 0;
        }
        String format = "%-22s %-11s %-22s %-15s %-20s %-12s %3s %10s %10s%n";
        out.printf(format, "ID", "KIND", "PARENT", "STATUS", "ENDED", "END LSN", "TLI", "SIZE", "STORED");
        for (BackupRow b : backups) {
            out.printf(format, b.id(), b.kind().name().toLowerCase(Locale.ROOT), b.parentId().orElse("-"), status(b),
                    b.endTime().map(t -> t.toString().replace('T', ' ').replaceAll("\\.\\d+", "")).orElse("-"),
                    b.endLsn().map(Object::toString).orElse("-"), b.endTimeline().orElse(b.startTimeline()),
                    Sizes.human(b.logicalSize()), Sizes.human(b.storedSize()));
        }
        return 0;
    }

    private static String status(BackupRow backup) {
        return backup.status().name().toLowerCase(Locale.ROOT);
    }
}
