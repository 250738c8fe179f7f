package dev.cellar.server.cli;

import dev.cellar.restore.PointInTimeRestore;
import dev.cellar.restore.export.ExportResult;
import dev.cellar.restore.export.RestoreExport;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.server.restore.RestoreRequests;
import dev.cellar.server.view.JobProgressView;
import dev.cellar.server.view.RestorePlanView;
import dev.cellar.server.view.RestoreReport;
import dev.cellar.server.view.RestoreRequest;
import dev.cellar.server.view.RestoreResultView;
import dev.cellar.server.view.ViewJson;
import dev.cellar.storage.repository.Repository;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;

/** {@code backupctl restore} reading the repository itself and writing on this machine (no server, or none answering). */
final class LocalRestore {
    private LocalRestore() {
    }

    static int run(RepositoryOptions repository, String cluster, RestoreRequest request, RestoreTarget target,
                   List<String> readings, boolean json, PrintWriter out, PrintWriter err) {
        Repository repo = repository.openRepository();
        RestorePlan plan;
        try (RepositoryOptions.OpenedCatalog opened = repository.openCatalog(repo, err)) {
            plan = PointInTimeRestore.plan(repo, opened.catalog(), cluster, target, Clock.systemUTC());
        }
        RestorePlanView planView = RestorePlanView.of(plan, readings);
        if (Boolean.TRUE.equals(request.dryRun())) {
            return RestoreOutput.printDryRun(out, planView, json);
        }
        if (!json) {
            RestoreOutput.printPlan(out, planView);
        }
        RestoreExport export = new RestoreExport(repo, plan,
                RestoreRequests.options(request, RestoreRequests.Caller.COMMAND_LINE), Clock.systemUTC());
        ExportResult result;
        try (ProgressDisplay display = ProgressDisplay.start(json ? err : out, BackupCtl.interactive(),
                () -> RestoreOutput.snapshot(JobProgressView.of(export.progress())))) {
            result = export.run();
        }
        if (json) {
            out.println(ViewJson.write(new RestoreReport(planView, RestoreResultView.of(result))));
        } else {
            RestoreOutput.printResult(out, RestoreResultView.of(result), false);
        }
        return 0;
    }
}
