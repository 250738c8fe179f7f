package dev.cellar.server.cli;

import dev.cellar.server.view.JobView;
import java.time.Duration;
import java.util.function.Consumer;

/** Follows a job the server runs (a backup, a restore) to its end by polling {@code GET /api/v1/jobs/{id}}. */
final class JobFollower {
    private static final Duration POLL = Duration.ofSeconds(1);

    private JobFollower() {
    }

    /**
     * @param polled called with each answer while the job runs, for progress
     * @return the ended job
     */
    static JobView follow(ApiClient api, JobView job, Consumer<JobView> polled) throws InterruptedException {
        while (job.running()) {
            Thread.sleep(POLL); // polling a remote job: nothing to wait on locally
            job = api.get("/api/v1/jobs/" + job.id(), JobView.class);
            if (job.running()) {
                polled.accept(job);
            }
        }
        return job;
    }
}
