package dev.cellar.server.daemon;

import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.JobOutcome;
import dev.cellar.catalog.JobRow;
import dev.cellar.config.ClusterConfig;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.server.backup.BackupJob;
import dev.cellar.server.operations.ConflictException;
import dev.cellar.server.wiring.ClusterWiring;
import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.backup.BaseBackupRun;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Full and incremental base backups on each cluster's schedule (Quartz cron, the server's time
 * zone): never two backups of one cluster at once (a firing while one runs is recorded as
 * skipped), at most {@code maxConcurrent} backups in all (later ones wait for a slot), and a run
 * missed while the server was down fires once at start: a full one when the last full cron time
 * is after the newest full backup (or there is none yet), else an incremental one when the last
 * incremental cron time is after the newest backup. Scheduled runs skip when nothing changed.
 *
 * <p>A configuration reload adds, updates and removes clusters here ({@link #add}, {@link #update},
 * {@link #remove}) and changes the limit ({@link #maxConcurrent(int)}) while backups run. The
 * triggers ({@link CronTriggers}) only fire: each run goes on a virtual thread of its own.
 */
final class ScheduledBackups implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScheduledBackups.class);

    private final Repository repository;
    private final Catalog catalog;
    private final Clock clock;
    private final Map<String, ClusterConfig> clusters;
    /** One permit per cluster: never two backups of it at once (a semaphore, since a worker thread releases it). */
    private final Map<String, Semaphore> locks = new ConcurrentHashMap<>();
    private final Map<String, BaseBackupRun> running = new ConcurrentHashMap<>();
    private final Map<String, Long> runningJobs = new ConcurrentHashMap<>();
    private final BackupListener listener;
    private final Slots slots;
    /** The current value of {@code server.max_concurrent_backups}; guarded by {@code this}. */
    private int maxConcurrent;
    private final CronTriggers triggers;
    /** The thread of every run, joined on close so that nothing writes after the catalog closes. */
    private final java.util.Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    ScheduledBackups(Repository repository, Catalog catalog, List<ClusterConfig> clusters, int maxConcurrent,
                     Clock clock, BackupListener listener) {
        this.listener = listener;
        this.repository = repository;
        this.catalog = catalog;
        this.clock = clock;
        this.clusters = new ConcurrentHashMap<>();
        clusters.forEach(c -> this.clusters.put(c.name(), c));
        this.maxConcurrent = maxConcurrent;
        this.slots = new Slots(maxConcurrent);
        this.triggers = new CronTriggers(this::fire);
        clusters.forEach(triggers::schedule);
    }

    /** Starts the schedules, after running once what was missed while the server was down. */
    void start() {
        triggers.start();
        for (ClusterConfig cluster : clusters.values()) {
            fireIfMissed(cluster, "while the server was down");
        }
    }

    private void fireIfMissed(ClusterConfig cluster, String when) {
        missedRun(cluster).ifPresent(incremental -> {
            log.info("cluster {}: a scheduled {} backup was missed {}; running it now", cluster.name(),
                    incremental ? "incremental" : "full", when);
            spawn("missed-backup-" + cluster.name(), () -> run(cluster.name(), incremental));
        });
    }

    /** Runs {@code task} on a virtual thread that {@link #close()} waits for. */
    private void spawn(String name, Runnable task) {
        Thread worker = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                task.run();
            } finally {
                workers.remove(Thread.currentThread());
            }
        });
        workers.add(worker);
        worker.start();
    }

    /** A schedule fired: the backup runs on its own thread, so that Quartz's threads stay free to fire. */
    private void fire(String cluster, boolean incremental) {
        if (!closing) {
            spawn("scheduled-backup-" + cluster, () -> run(cluster, incremental));
        }
    }

    /**
     * Schedules a cluster added to the configuration by a reload. As at start, a run it missed
     * (for a new cluster: its first full backup) fires at once.
     */
    void add(ClusterConfig cluster) {
        clusters.put(cluster.name(), cluster);
        triggers.schedule(cluster);
        fireIfMissed(cluster, "(it was just added to the configuration)");
    }

    /**
     * Takes a configured cluster's new settings: its next backup uses them (a running one goes on as
     * it started). Changed full or incremental schedules are replaced, and a run the new schedule
     * has missed fires at once, as a restart would do.
     */
    void update(ClusterConfig cluster) {
        ClusterConfig old = clusters.put(cluster.name(), cluster);
        if (old != null && old.schedule().full().equals(cluster.schedule().full())
                && old.schedule().incremental().equals(cluster.schedule().incremental())) {
            return;
        }
        triggers.unschedule(cluster.name());
        triggers.schedule(cluster);
        fireIfMissed(cluster, "under its new schedule");
    }

    /**
     * Stops scheduling a cluster removed from the configuration and cancels its running backup as at
     * shutdown (the run deletes what it stored and its job is recorded as failed), waiting up to 60 s
     * for it to end. A backup of it still waiting for a slot is cancelled when its turn comes. Its
     * backups and jobs stay in the repository and the catalog.
     *
     * @return the job of the backup that was running, if one was
     */
    Optional<Long> remove(String cluster) throws InterruptedException {
        clusters.remove(cluster);
        try {
            triggers.unschedule(cluster);
        } catch (CellarException e) {
            log.warn("cluster {}: {}", cluster, e.getMessage());
        }
        Optional<Long> job = Optional.ofNullable(runningJobs.get(cluster));
        BaseBackupRun run = running.get(cluster);
        if (run != null) {
            run.cancel();
            Semaphore lock = lock(cluster);
            if (lock.tryAcquire(60, java.util.concurrent.TimeUnit.SECONDS)) {
                lock.release();
            } else {
                log.warn("cluster {}: the cancelled backup did not end within 60 s", cluster);
            }
        }
        return job;
    }

    /**
     * Changes how many backups may run at once. Running backups go on; with a lower limit, waiting
     * ones start only once enough of them ended.
     */
    synchronized void maxConcurrent(int limit) {
        if (limit > maxConcurrent) {
            slots.release(limit - maxConcurrent);
        } else if (limit < maxConcurrent) {
            slots.shrink(maxConcurrent - limit);
        }
        maxConcurrent = limit;
    }

    /** Which run was missed: empty for none, false for a full one, true for an incremental one. */
    Optional<Boolean> missedRun(ClusterConfig cluster) {
        Instant now = clock.instant();
        List<BackupRow> backups = catalog.clusters().find(cluster.name()).isPresent()
                ? catalog.backups().list(cluster.name()) : List.of();
        Optional<Instant> newestFull = backups.stream().filter(b -> b.kind() == BackupKind.FULL)
                .map(BackupRow::startTime).max(Comparator.naturalOrder());
        Optional<Instant> newestAny = backups.stream().map(BackupRow::startTime).max(Comparator.naturalOrder());
        Optional<Instant> lastFull = lastFire(cluster.schedule().full(), newestFull, now);
        if (cluster.schedule().full().isPresent() && (newestFull.isEmpty() || lastFull.isPresent())) {
            return Optional.of(false);
        }
        Optional<Instant> lastIncremental = lastFire(cluster.schedule().incremental(), newestAny, now);
        return lastIncremental.isPresent() ? Optional.of(true) : Optional.empty();
    }

    /** The last time {@code cron} fired after {@code since} and at or before {@code now}, if any. */
    static Optional<Instant> lastFire(Optional<String> cron, Optional<Instant> since, Instant now) {
        if (cron.isEmpty() || since.isEmpty()) {
            return Optional.empty();
        }
        try {
            CronExpression expression = new CronExpression(cron.get());
            Date next = expression.getTimeAfter(Date.from(since.get()));
            Instant last = null;
            while (next != null && !next.toInstant().isAfter(now)) {
                last = next.toInstant();
                next = expression.getTimeAfter(next);
            }
            return Optional.ofNullable(last);
        } catch (ParseException e) {
            throw new CellarException(ErrorCode.CONFIG_INVALID, "invalid schedule \"" + cron.get() + "\": "
                    + e.getMessage());
        }
    }

    /** The next time {@code cron} fires after {@code now}, if it is set and fires again. */
    static Optional<Instant> nextFire(Optional<String> cron, Instant now) {
        try {
            return cron.isEmpty() ? Optional.empty()
                    : Optional.ofNullable(new CronExpression(cron.get()).getTimeAfter(Date.from(now))).map(Date::toInstant);
        } catch (ParseException e) {
            throw new CellarException(ErrorCode.CONFIG_INVALID, "invalid schedule \"" + cron.get() + "\": "
                    + e.getMessage());
        }
    }

    /** One scheduled backup of {@code cluster}; failures are recorded as failed jobs and logged. */
    void run(String clusterName, boolean incremental) {
        // Quartz and missed-run threads serve every cluster: tag this run's log lines, then untag the thread.
        MDC.put("cluster", clusterName);
        try {
            runTagged(clusterName, incremental);
        } finally {
            MDC.remove("cluster");
        }
    }

    private void runTagged(String clusterName, boolean incremental) {
        ClusterConfig cluster = clusters.get(clusterName);
        if (cluster == null) {
            log.info("cluster {}: scheduled backup dropped: the cluster is no longer configured", clusterName);
            return;
        }
        Semaphore lock = lock(clusterName);
        if (!lock.tryAcquire()) {
            JobRow job = catalog.jobs().start(clusterName, BackupJob.TYPE, clock.instant());
            catalog.jobs().finish(job.id(), JobOutcome.SKIPPED, clock.instant(),
                    "a backup of cluster " + clusterName + " is still running");
            listener.finished(clusterName, JobOutcome.SKIPPED, Optional.empty());
            log.info("cluster {}: scheduled backup skipped: one is still running", clusterName);
            return;
        }
        try {
            BackupJob.Request request = request(cluster, incremental, true);
            execute(request, new BackupJob(repository, catalog, clock).begin(request));
        } catch (RuntimeException e) {
            listener.finished(clusterName, JobOutcome.FAILED, Optional.empty());
            log.error("cluster {}: scheduled backup failed: it could not start: {}", clusterName, e.getMessage());
        } finally {
            lock.release();
        }
    }

    /**
     * Starts a backup of {@code clusterName} now ({@code backupctl backup}), in the background. It
     * is taken even when nothing changed, and waits for a free slot like the scheduled ones.
     *
     * @return the job, recorded as running
     * @throws CellarException when the cluster is not configured, a backup of it is running, the
     *                         server is stopping, or the cluster's server cannot be reached to
     *                         register it
     */
    JobRow submit(String clusterName, boolean incremental) {
        ClusterConfig cluster = clusters.get(clusterName);
        if (cluster == null) {
            throw new CellarException(ErrorCode.BACKUP_FAILED, "no cluster \"" + clusterName
                    + "\" in the server's configuration", "configured clusters: " + String.join(", ",
                    new java.util.TreeSet<>(clusters.keySet())));
        }
        if (closing) {
            throw new CellarException(ErrorCode.BACKUP_FAILED, "the server is stopping; backup of cluster "
                    + clusterName + " not started", "start it again once the server is back");
        }
        Semaphore lock = lock(clusterName);
        if (!lock.tryAcquire()) {
            throw new ConflictException(ErrorCode.BACKUP_FAILED, "a backup of cluster " + clusterName
                    + " is already running" + Optional.ofNullable(runningJobs.get(clusterName))
                    .map(id -> " (job " + id + ")").orElse(""), "wait for it to end: backupctl status");
        }
        try {
            BackupJob.Request request = request(cluster, incremental, false);
            JobRow job = new BackupJob(repository, catalog, clock).begin(request);
            spawn("backup-" + clusterName, () -> {
                MDC.put("cluster", clusterName);
                try {
                    execute(request, job);
                } finally {
                    lock.release();
                }
            });
            return job;
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }

    /** The job of the backup of {@code cluster} running now, and its progress once it transfers data. */
    Optional<RunningBackup> running(String cluster) {
        Long job = runningJobs.get(cluster);
        if (job == null) {
            return Optional.empty();
        }
        return Optional.of(new RunningBackup(job, Optional.ofNullable(running.get(cluster)).map(BaseBackupRun::progress)));
    }

    /** A backup in progress: its job and, once data flows, how far it got. */
    record RunningBackup(long jobId, Optional<dev.cellar.walreceiver.backup.BackupProgress> progress) {
    }

    private Semaphore lock(String cluster) {
        return locks.computeIfAbsent(cluster, c -> new Semaphore(1));
    }

    private BackupJob.Request request(ClusterConfig cluster, boolean incremental, boolean scheduled) {
        String label = "cellar " + (scheduled ? "scheduled " : "") + (incremental ? "incremental" : "full");
        return new BackupJob.Request(cluster.name(), ClusterWiring.connection(cluster), ClusterWiring.backupFrom(cluster),
                ClusterWiring.backupOptions(cluster, label), ClusterWiring.codec(cluster), BackupWriterSettings.defaults(),
                incremental, ClusterWiring.fallbackToFull(cluster), scheduled);
    }

    /** Scheduled runs may skip when nothing changed; requested ones (the API) never do. */
    private static String kind(BackupJob.Request request) {
        return request.skipIfUnchanged() ? "scheduled" : "requested";
    }

    /** Takes the backup of a recorded job, once a slot is free; the caller holds the cluster's lock. */
    private void execute(BackupJob.Request request, JobRow job) {
        String clusterName = request.cluster();
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            catalog.jobs().finish(job.id(), JobOutcome.CANCELLED, clock.instant(), "interrupted while waiting to start");
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (closing || !clusters.containsKey(clusterName)) {
                catalog.jobs().finish(job.id(), JobOutcome.CANCELLED, clock.instant(), closing
                        ? "the server stopped before the backup started"
                        : "the cluster was removed from the configuration before the backup started");
                return;
            }
            runningJobs.put(clusterName, job.id());
            BackupJob.Result result = new BackupJob(repository, catalog, clock).run(request, job, run -> {
                running.put(clusterName, run);
                if (closing || !clusters.containsKey(clusterName)) {
                    run.cancel(); // close() or remove() may have looked before this run was registered
                }
            });
            switch (result) {
                case BackupJob.Result.Taken taken ->
                        listener.finished(clusterName, JobOutcome.SUCCEEDED, Optional.of(taken.backup()));
                case BackupJob.Result.Skipped skipped ->
                        listener.finished(clusterName, JobOutcome.SKIPPED, Optional.empty());
            }
            log.info("cluster {}: {} {} backup: {}", clusterName, kind(request),
                    request.incremental() ? "incremental" : "full", result);
        } catch (RuntimeException e) {
            listener.finished(clusterName, JobOutcome.FAILED, Optional.empty());
            log.error("cluster {}: {} backup failed: {}", clusterName, kind(request), e.getMessage());
        } finally {
            running.remove(clusterName);
            runningJobs.remove(clusterName);
            slots.release();
        }
    }

    /**
     * Stops firing, cancels running backups (each deletes what it stored) and waits for them, so
     * that nothing writes to the catalog after the server closes it; waiting runs start no backup.
     */
    @Override
    public void close() {
        closing = true;
        triggers.standby();
        running.values().forEach(BaseBackupRun::cancel);
        triggers.close();
        for (Thread worker : workers) {
            try {
                if (!worker.join(Duration.ofSeconds(60))) {
                    log.warn("{} did not end within 60 s of cancelling it", worker.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The limit on backups at once, which a reload may lower while permits are taken. */
    private static final class Slots extends Semaphore {
        private static final long serialVersionUID = 1L;

        Slots(int permits) {
            super(permits, true);
        }

        void shrink(int permits) {
            reducePermits(permits);
        }
    }
}
