package dev.cellar.server.cli;

import dev.cellar.core.CellarException;
import dev.cellar.server.view.JobView;
import dev.cellar.server.view.RestorePlanView;
import dev.cellar.server.view.RestoreReport;
import dev.cellar.server.view.RestoreRequest;
import dev.cellar.server.view.ViewJson;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code backupctl restore} through the server: the server plans and refuses before writing, then
 * writes the data directory on its own machine as a job, which this follows with the same progress
 * display and output as a local restore.
 */
final class ApiRestore {
    private ApiRestore() {
    }

    static int run(ApiClient api, String cluster, RestoreRequest request, List<String> readings, boolean json,
                   PrintWriter out, PrintWriter err) throws InterruptedException {
        String path = "/api/v1/clusters/" + CatalogReads.Remote.encode(cluster) + "/restores";
        if (Boolean.TRUE.equals(request.dryRun())) {
            return RestoreOutput.printDryRun(out, api.send("POST", path, request, RestoreReport.class).plan()
                    .withReadingsFirst(readings), json);
        }
        JobView job = api.send("POST", path, request, JobView.class);
        RestorePlanView plan = job.restore().plan().withReadingsFirst(readings);
        if (!json) {
            RestoreOutput.printPlan(out, plan);
            out.println("restore job " + job.id() + " started: the server at " + api.base() + " writes "
                    + request.dest() + " on its machine");
        }
        AtomicReference<ProgressDisplay.Snapshot> progress = new AtomicReference<>(
                new ProgressDisplay.Snapshot("starting", 0, plan.dataBytes() + plan.walBytes(), 0, null));
        try (ProgressDisplay display = ProgressDisplay.start(json ? err : out, BackupCtl.interactive(),
                progress::get)) {
            job = JobFollower.follow(api, job, running -> {
                if (running.progress() != null) {
                    progress.set(RestoreOutput.snapshot(running.progress()));
                }
            });
        }
        if (job.outcome().equals("succeeded") && job.restore() != null && job.restore().result() != null) {
            if (json) {
                out.println(ViewJson.write(new RestoreReport(plan, job.restore().result())));
            } else {
                RestoreOutput.printResult(out, job.restore().result(), true);
            }
            return 0;
        }
        throw new CellarException(job.errorCode() == null ? dev.cellar.core.ErrorCode.RESTORE_FAILED
                : ApiClient.errorCode(job.errorCode()), "restore job " + job.id() + " of cluster " + cluster + " "
                + job.outcome() + ": " + job.message(), job.hint());
    }
}
