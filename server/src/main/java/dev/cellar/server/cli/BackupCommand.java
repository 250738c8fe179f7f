package dev.cellar.server.cli;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.server.view.BackupRunView;
import dev.cellar.server.view.ClusterStatus;
import dev.cellar.server.view.JobView;
import dev.cellar.server.view.StatusReport;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code backupctl backup --cluster c1 [--incremental] [--wait]}: asks the server to take a backup
 * now. Without {@code --wait} it prints the job and returns; with it, it shows progress and exits
 * 0 when the backup was taken, or with the error's code when it failed.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Take a backup of a cluster now (through the server).")
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Option(names = "--cluster", required = true, description = "The cluster.")
    String cluster;

    @Option(names = "--incremental", description = "An incremental backup on the newest one (PostgreSQL 17+).")
    boolean incremental;

    @Option(names = "--wait", description = "Wait until the backup ends, showing progress.")
    boolean waitForEnd;

    @Option(names = "--json", description = "Print the job as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        ApiClient api = ApiClient.from(parent.repository);
        String clusterPath = "/api/v1/clusters/" + CatalogReads.Remote.encode(cluster);
        JobView job = api.send("POST", clusterPath + "/backups", Map.of("incremental", incremental), JobView.class);
        if (!waitForEnd) {
            out.println(json ? ViewJson.write(job) : "backup of cluster " + cluster + " started: job " + job.id()
                    + " (backupctl status shows its progress)");
            return 0;
        }
        if (!json) {
            out.println("backup of cluster " + cluster + " started: job " + job.id());
        }
        AtomicReference<ProgressDisplay.Snapshot> progress = new AtomicReference<>(
                new ProgressDisplay.Snapshot("waiting", 0, 0, 0, null));
        try (ProgressDisplay display = ProgressDisplay.start(json ? spec.commandLine().getErr() : out,
                BackupCtl.interactive(), progress::get)) {
            job = JobFollower.follow(api, job, running -> {
                StatusReport status = api.get("/api/v1/status", StatusReport.class);
                status.clusters().stream().filter(c -> c.name().equals(cluster)).map(ClusterStatus::runningBackup)
                        .filter(run -> run != null).findFirst().ifPresent(run -> progress.set(snapshot(run)));
            });
        }
        if (json) {
            out.println(ViewJson.write(job));
        } else {
            out.println("job " + job.id() + " " + job.outcome() + ": " + job.message());
        }
        if (job.outcome().equals("succeeded") || job.outcome().equals("skipped")) {
            return 0;
        }
        throw new CellarException(ErrorCode.BACKUP_FAILED, "backup of cluster " + cluster + " " + job.outcome()
                + ": " + job.message(), "see backupctl check --cluster " + cluster);
    }

    private static ProgressDisplay.Snapshot snapshot(BackupRunView run) {
        return new ProgressDisplay.Snapshot(run.phase(), run.bytesDone(),
                run.bytesEstimated() == null ? 0 : run.bytesEstimated(),
                run.bytesPerSecond() == null ? 0 : run.bytesPerSecond(),
                run.etaSeconds() == null ? null : Duration.ofMillis((long) (run.etaSeconds() * 1000)));
    }
}
