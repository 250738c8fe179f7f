package dev.cellar.server.restore;

import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.JobOutcome;
import dev.cellar.catalog.JobRow;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.restore.PointInTimeRestore;
import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.export.ExportResult;
import dev.cellar.restore.export.RestoreExport;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.server.operations.ConflictException;
import dev.cellar.server.operations.NotFoundException;
import dev.cellar.server.view.JobProgressView;
import dev.cellar.server.view.JobView;
import dev.cellar.server.view.RestorePlanView;
import dev.cellar.server.view.RestoreReport;
import dev.cellar.server.view.RestoreRequest;
import dev.cellar.server.view.RestoreResultView;
import dev.cellar.storage.repository.Repository;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Restores asked for through the admin API, written by the server on its own machine. Everything
 * that can be refused is checked before the job exists (the target against the recoverable window,
 * the backup, the destination); then the export runs on a virtual thread as a job of type
 * {@value #TYPE} in the catalog. While it runs, the backups it reads cannot be deleted
 * ({@link #deleting}), and no other restore may write into its destination. Results of this
 * process's restores stay in memory (the newest {@value #REMEMBERED}) for {@code GET
 * /api/v1/jobs/{id}}. Thread-safe.
 */
public final class RestoreJobs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestoreJobs.class);
    public static final String TYPE = "restore";
    static final int REMEMBERED = 100;

    private final Repository repository;
    private final Catalog catalog;
    private final Clock clock;
    private final BackupReads reads = new BackupReads();
    private final Map<Long, Running> running = new ConcurrentHashMap<>();
    private final Map<Long, Ended> ended = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Ended> eldest) {
            return size() > REMEMBERED;
        }
    });
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    /** What a request led to: a plan only (a dry run), or a started job. */
    public sealed interface Submitted {
        record Planned(RestoreReport report) implements Submitted {
        }

        record Started(JobView job) implements Submitted {
        }
    }

    private record Running(RestoreExport export, RestorePlanView plan, Path destination) {
    }

    private record Ended(RestoreReport report, Integer errorCode, String hint) {
    }

    public RestoreJobs(Repository repository, Catalog catalog, Clock clock) {
        this.repository = repository;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * Plans the restore {@code request} asks for; for a dry run that is all. Otherwise checks the
     * destination and the backups, records the job and starts it.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} for a request that is wrong in itself;
     *                         {@link ErrorCode#RESTORE_FAILED} with the local CLI's message for a
     *                         restore that cannot be done (nothing written), as a
     *                         {@link NotFoundException} for an unknown cluster; a
     *                         {@link ConflictException} when another restore writes the
     *                         destination or a backup was deleted meanwhile
     */
    public Submitted submit(String cluster, RestoreRequest request) {
        RestoreTarget target;
        ExportOptions options = null;
        try {
            target = RestoreRequests.target(request, RestoreRequests.Caller.API, ZoneOffset.UTC, new ArrayList<>());
            if (!Boolean.TRUE.equals(request.dryRun())) {
                options = RestoreRequests.options(request, RestoreRequests.Caller.API);
            }
        } catch (IllegalArgumentException e) {
            throw new CellarException(ErrorCode.INVALID_VALUE, e.getMessage(), "the fields are listed in docs/api.md");
        }
        RestorePlan plan;
        try {
            plan = PointInTimeRestore.plan(repository, catalog, cluster, target, clock);
        } catch (CellarException e) {
            if (catalog.clusters().find(cluster).isEmpty()) { // the planner's message, answered as 404
                throw new NotFoundException(e.code(), e.getMessage(), e.hint().orElse(null));
            }
            throw e;
        }
        RestorePlanView planView = RestorePlanView.of(plan, List.of());
        if (options == null) {
            return new Submitted.Planned(new RestoreReport(planView, null));
        }
        RestoreExport export = new RestoreExport(repository, plan, options, clock);
        Path destination = options.destination().toAbsolutePath().normalize();
        List<String> backups = plan.chain().stream().map(b -> b.id()).toList();
        JobRow job = reads.exclusively(() -> {
            if (closing) {
                throw new CellarException(ErrorCode.RESTORE_FAILED, "the server is stopping; restore of cluster "
                        + cluster + " not started", "ask again once the server is back");
            }
            running.forEach((id, other) -> {
                if (destination.startsWith(other.destination()) || other.destination().startsWith(destination)) {
                    throw new ConflictException(ErrorCode.RESTORE_FAILED, "restore job " + id + " writes "
                            + other.destination() + ", which overlaps " + destination, "wait for it to end, or"
                            + " restore elsewhere");
                }
            });
            for (String id : backups) {
                if (catalog.backups().find(id).isEmpty()) {
                    throw new ConflictException(ErrorCode.RESTORE_FAILED, "backup " + id + " of cluster " + cluster
                            + " was deleted while the restore was planned", "ask again: the plan will choose another");
                }
            }
            export.check();
            JobRow started = catalog.jobs().start(cluster, TYPE, clock.instant());
            reads.register(started.id(), backups);
            running.put(started.id(), new Running(export, planView, destination));
            // Started under the lock close() takes to set closing: close() sees every worker and waits for it.
            Thread worker = Thread.ofVirtual().name("restore-" + started.id()).unstarted(
                    () -> run(cluster, started.id(), plan));
            workers.add(worker);
            worker.start();
            return started;
        });
        log.info("cluster {}: restore job {} started: {} into {}", cluster, job.id(), planView.target(), destination);
        return new Submitted.Started(describe(JobView.of(job)));
    }

    private void run(String cluster, long job, RestorePlan plan) {
        MDC.put("cluster", cluster);
        Running restore = running.get(job);
        try {
            ExportResult result = restore.export().run();
            RestoreResultView view = RestoreResultView.of(result);
            ended.put(job, new Ended(new RestoreReport(restore.plan(), view), null, null));
            catalog.jobs().finish(job, JobOutcome.SUCCEEDED, clock.instant(), "restored backup "
                    + plan.backup().id() + " (" + restore.plan().target() + ") into " + result.destination());
            log.info("cluster {}: restore job {} wrote {} in {} s", cluster, job, result.destination(), view.seconds());
        } catch (CellarException e) {
            fail(cluster, job, restore, e.code(), e.getMessage(), e.hint().orElse(null));
        } catch (RuntimeException e) {
            log.error("cluster {}: restore job {} failed", cluster, job, e);
            fail(cluster, job, restore, ErrorCode.INTERNAL, "internal error: " + e, "report it with the server's log");
        } finally {
            reads.release(job);
            running.remove(job);
            workers.remove(Thread.currentThread());
            MDC.remove("cluster");
        }
    }

    private void fail(String cluster, long job, Running restore, ErrorCode code, String message, String hint) {
        // Remembered before the catalog says it ended, so whoever sees the end also sees why.
        ended.put(job, new Ended(new RestoreReport(restore.plan(), null), code.number(), hint));
        try {
            catalog.jobs().finish(job, JobOutcome.FAILED, clock.instant(), message);
        } catch (CellarException e) {
            log.error("cluster {}: cannot record the end of restore job {}: {}", cluster, job, e.getMessage());
        }
        log.error("cluster {}: restore job {} failed: {}", cluster, job, message);
    }

    /** {@code job} with its progress while it runs, and its plan, result or error once known to this process. */
    public JobView describe(JobView job) {
        Ended end = ended.get(job.id());
        if (end != null) {
            return job.with(null, end.report(), end.errorCode(), end.hint());
        }
        Running now = running.get(job.id());
        if (now != null) {
            return job.with(JobProgressView.of(now.export().progress()), new RestoreReport(now.plan(), null), null,
                    null);
        }
        return job;
    }

    /**
     * Runs {@code deletion} of a backup unless a running restore reads it.
     *
     * @throws ConflictException naming the restore job that reads it
     */
    public <T> T deleting(String backupId, String cluster, java.util.function.Supplier<T> deletion) {
        return reads.deleting(backupId, cluster, deletion);
    }

    /**
     * Interrupts running restores (each removes what it wrote) and waits for them, so that nothing
     * writes to the catalog after the server closes it.
     */
    @Override
    public void close() {
        reads.exclusively(() -> closing = true);
        workers.forEach(Thread::interrupt);
        for (Thread worker : workers) {
            try {
                if (!worker.join(Duration.ofSeconds(60))) {
                    log.warn("{} did not end within 60 s of interrupting it", worker.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
