package dev.cellar.server.daemon;

import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.ClusterRow;
import dev.cellar.catalog.ClusterSizes;
import dev.cellar.catalog.JobRow;
import dev.cellar.config.CellarConfig;
import dev.cellar.config.ClusterConfig;
import dev.cellar.core.ErrorCode;
import dev.cellar.restore.wal.ArchivedWal;
import dev.cellar.restore.wal.ArchivedWalFile;
import dev.cellar.server.operations.CatalogViews;
import dev.cellar.server.operations.ConflictException;
import dev.cellar.server.operations.NotFoundException;
import dev.cellar.server.restore.RestoreJobs;
import dev.cellar.server.view.BackupDetail;
import dev.cellar.server.view.BackupRunView;
import dev.cellar.server.view.BackupView;
import dev.cellar.server.view.CheckReport;
import dev.cellar.server.view.ClusterStatus;
import dev.cellar.server.view.ClusterSummary;
import dev.cellar.server.view.JobView;
import dev.cellar.server.view.ReloadReport;
import dev.cellar.server.view.RestoreRequest;
import dev.cellar.server.view.StatusReport;
import dev.cellar.server.view.StreamView;
import dev.cellar.server.view.WalStatus;
import dev.cellar.server.view.WindowView;
import dev.cellar.storage.repository.BackupKeep;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.stream.WalStreamStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the admin API offers, on the running server: status, checks, backups on demand,
 * restores on demand and WAL for a restore_command elsewhere, deleting and keeping backups, and the
 * catalog's views. Thread-safe (the catalog serialises writes; backups are guarded by
 * {@link ScheduledBackups}, restores by {@link RestoreJobs}).
 */
public final class ServerOperations {
    private static final Logger log = LoggerFactory.getLogger(ServerOperations.class);

    /** The running configuration; replaced by a reload ({@link #reconfigure}). */
    private volatile CellarConfig config;
    private volatile Supplier<ReloadReport> reloader = () -> {
        throw new IllegalStateException("the server has not finished starting");
    };
    private final Repository repository;
    private final Catalog catalog;
    private final CatalogViews views;
    private final ScheduledBackups backups;
    private final Supplier<Map<String, WalStreamStatus>> streams;
    private final ClusterChecks checks;
    private final Clock clock;
    private final RestoreJobs restores;
    private final ArchivedWal archivedWal;

    ServerOperations(CellarConfig config, Repository repository, Catalog catalog, ScheduledBackups backups,
                     Supplier<Map<String, WalStreamStatus>> streams, RestoreJobs restores, Clock clock) {
        this.config = config;
        this.repository = repository;
        this.catalog = catalog;
        this.views = new CatalogViews(catalog);
        this.backups = backups;
        this.streams = streams;
        this.checks = new ClusterChecks(config, repository, catalog, views, streams, clock);
        this.clock = clock;
        this.restores = restores;
        this.archivedWal = new ArchivedWal(repository);
    }

    public CatalogViews views() {
        return views;
    }

    /**
     * Reads the configuration file again and applies it (see {@link ConfigReload}).
     *
     * @throws dev.cellar.config.ConfigException when the file has problems; nothing changed then
     */
    public ReloadReport reload() {
        return reloader.get();
    }

    void reloadWith(Supplier<ReloadReport> reloader) {
        this.reloader = reloader;
    }

    /** Serves {@code config} from now on: what a reload applied. */
    void reconfigure(CellarConfig config) {
        this.config = config;
    }

    /** Configured clusters first (in configuration order), then those only the catalog remembers. */
    public List<ClusterSummary> clusters() {
        Map<String, WalStreamStatus> states = streams.get();
        Map<String, ClusterSummary> result = new LinkedHashMap<>();
        for (ClusterConfig cluster : config.clusters()) {
            Optional<ClusterRow> row = catalog.clusters().find(cluster.name());
            result.put(cluster.name(), summary(cluster.name(), true, row, Optional.of(cluster.slot()),
                    Optional.ofNullable(states.get(cluster.name()))));
        }
        for (ClusterRow row : catalog.clusters().list()) {
            result.putIfAbsent(row.name(), summary(row.name(), false, Optional.of(row), Optional.empty(),
                    Optional.empty()));
        }
        return List.copyOf(result.values());
    }

    private ClusterSummary summary(String name, boolean configured, Optional<ClusterRow> row, Optional<String> slot,
                                   Optional<WalStreamStatus> stream) {
        ClusterSizes sizes = row.isPresent() ? catalog.clusters().sizes(name)
                : new ClusterSizes(name, 0, 0, 0, 0, 0, 0);
        return new ClusterSummary(name, configured, row.map(ClusterRow::pgMajor).orElse(null),
                row.map(r -> Long.toUnsignedString(r.systemIdentifier())).orElse(null), slot.orElse(null),
                stream.map(s -> s.state().name().toLowerCase(java.util.Locale.ROOT)).orElse(null), sizes.backups(),
                sizes.walSegments(), sizes.walStoredBytes() + sizes.backupStoredBytes());
    }

    /** Every cluster: its stream, newest backups, what is recoverable, and its problems. */
    public StatusReport status() {
        Instant now = clock.instant();
        Map<String, WalStreamStatus> states = streams.get();
        List<ClusterStatus> result = new ArrayList<>();
        for (ClusterSummary summary : clusters()) {
            result.add(status(summary, Optional.ofNullable(states.get(summary.name())), now));
        }
        return new StatusReport(now, result);
    }

    private ClusterStatus status(ClusterSummary summary, Optional<WalStreamStatus> stream, Instant now) {
        String name = summary.name();
        boolean catalogued = summary.pgMajor() != null;
        List<BackupRow> rows = catalogued ? catalog.backups().list(name) : List.of();
        Optional<BackupRow> last = rows.stream().max(Comparator.comparing(BackupRow::startTime));
        Optional<BackupRow> lastRestorable = rows.stream().filter(BackupRow::isRestorable)
                .max(Comparator.comparing(BackupRow::startTime));
        List<WindowView> windows = catalogued ? views.recoverable(name, now) : List.of();
        int gaps = catalogued ? catalog.walGaps().list(name).size() : 0;
        Optional<ScheduledBackups.RunningBackup> running = backups.running(name);
        List<String> problems = new ArrayList<>();
        stream.ifPresent(s -> {
            if (s.state() != WalStreamStatus.State.STREAMING) {
                problems.add("WAL stream is " + s.state().name().toLowerCase(java.util.Locale.ROOT)
                        + s.lastError().map(e -> ": " + e).orElse(""));
            }
        });
        if (!summary.configured()) {
            problems.add("not in the configuration any more: its backups and WAL stay until deleted");
        }
        if (lastRestorable.isEmpty()) {
            problems.add(rows.isEmpty() ? "no backup yet" : "no restorable backup yet");
        }
        last.filter(b -> b.status() == BackupStatus.FAILED)
                .ifPresent(b -> problems.add("the last backup " + b.id() + " failed: " + b.failureMessage().orElse("")));
        if (windows.size() > 1) {
            problems.add("the recoverable window has " + (windows.size() - 1) + " gap(s): see backupctl wal-status");
        } else if (lastRestorable.isPresent() && windows.isEmpty()) {
            problems.add("the WAL after backup " + lastRestorable.get().id() + " is incomplete");
        }
        return new ClusterStatus(name, summary.pgMajor(), summary.systemIdentifier(),
                stream.map(s -> StreamView.of(s, now)).orElse(null), last.map(BackupView::of).orElse(null),
                lastRestorable.map(BackupView::of).orElse(null), running.map(ServerOperations::runView).orElse(null),
                windows, gaps, problems);
    }

    private static BackupRunView runView(ScheduledBackups.RunningBackup running) {
        return running.progress().map(p -> new BackupRunView(running.jobId(),
                        p.phase().name().toLowerCase(java.util.Locale.ROOT), p.bytesDone(),
                        p.bytesEstimated().isPresent() ? p.bytesEstimated().getAsLong() : null,
                        p.bytesPerSecond().isPresent() ? p.bytesPerSecond().getAsLong() : null,
                        p.eta().map(d -> d.toMillis() / 1000.0).orElse(null)))
                .orElseGet(() -> new BackupRunView(running.jobId(), "waiting", 0, null, null, null));
    }

    /** The checklist of one configured cluster; connects to its server. */
    public CheckReport check(String cluster) {
        return checks.run(configured(cluster));
    }

    /** Starts a backup now; returns its job (poll {@link #job}). */
    public JobView startBackup(String cluster, boolean incremental) {
        configured(cluster);
        return JobView.of(backups.submit(cluster, incremental));
    }

    public JobView job(long id) {
        JobRow job = catalog.jobs().find(id).orElseThrow(() -> new NotFoundException(ErrorCode.CATALOG_FAILED,
                "no job " + id, "jobs are listed by backupctl status"));
        return restores.describe(JobView.of(job));
    }

    /** The newest jobs of a cluster (or of all when {@code cluster} is null), newest first. */
    public List<JobView> jobs(String cluster, int limit) {
        List<JobRow> rows = cluster == null ? catalog.jobs().recent(limit) : catalog.jobs().recent(cluster, limit);
        return rows.stream().map(JobView::of).map(restores::describe).toList();
    }

    public BackupDetail backup(String id) {
        return views.backup(id);
    }

    /**
     * Deletes a backup from the repository and the catalog. Refused while it runs, while it is
     * kept, while incremental backups build on it, and (unless {@code force}) when it would leave
     * the cluster fewer restorable full backups than its {@code min_full}.
     */
    public BackupView delete(String id, boolean force) {
        BackupRow row = views.backupRow(id);
        Instant now = clock.instant();
        if (row.status() == BackupStatus.RUNNING) {
            throw new ConflictException(ErrorCode.BACKUP_FAILED, "backup " + id + " of cluster " + row.cluster()
                    + " is still running", "wait for it to end, or stop the server to cancel it");
        }
        if (row.isPinned(now)) {
            throw new ConflictException(ErrorCode.BACKUP_FAILED, "backup " + id + " of cluster " + row.cluster()
                    + " is kept " + (row.pinnedForever() ? "for ever" : "until " + row.pinnedUntil().orElseThrow()),
                    "release it first: backupctl keep " + id + " --release");
        }
        List<BackupRow> children = catalog.backups().children(id);
        if (!children.isEmpty()) {
            throw new ConflictException(ErrorCode.BACKUP_FAILED, "backup " + id + " of cluster " + row.cluster()
                    + " is the parent of " + children.stream().map(BackupRow::id).toList(),
                    "delete the incremental backups built on it first");
        }
        if (!force && row.kind() == BackupKind.FULL && row.isRestorable()) {
            int minFull = config.cluster(row.cluster()).map(c -> c.retention().minFull())
                    .orElse(config.defaults().retention().minFull());
            long fulls = catalog.backups().list(row.cluster()).stream()
                    .filter(b -> b.kind() == BackupKind.FULL && b.isRestorable()).count();
            if (fulls <= minFull) {
                throw new ConflictException(ErrorCode.BACKUP_FAILED, "deleting backup " + id + " would leave cluster "
                        + row.cluster() + " " + (fulls - 1) + " restorable full backup(s), fewer than min_full ("
                        + minFull + ")", "take a new full backup first, or delete anyway with --force");
            }
        }
        // backup.json goes first: a crash part-way leaves an incomplete backup, never restorable,
        // that the next start removes together with this catalog row.
        return restores.deleting(id, row.cluster(), () -> {
            repository.deleteBackup(row.cluster(), id);
            catalog.backups().delete(id);
            log.info("cluster {}: deleted backup {}", row.cluster(), id);
            return BackupView.of(row);
        });
    }

    /** Keeps a backup from retention until {@code until}, or for ever when {@code until} is empty. */
    public BackupView keep(String id, Optional<Instant> until) {
        BackupRow row = views.backupRow(id);
        Instant now = clock.instant();
        if (until.isPresent() && !until.get().isAfter(now)) {
            throw new dev.cellar.core.CellarException(ErrorCode.INVALID_VALUE, "keep date " + until.get()
                    + " is not in the future", "give a later date, or --forever");
        }
        // The repository is the source of truth: it records the keep first, so a catalog rebuilt
        // after a crash here still has it.
        repository.putKeep(until.map(u -> BackupKeep.until(row.cluster(), id, u, now))
                .orElseGet(() -> BackupKeep.forever(row.cluster(), id, now)));
        until.ifPresentOrElse(u -> catalog.backups().pinUntil(id, u), () -> catalog.backups().pinForever(id));
        log.info("cluster {}: backup {} kept {}", row.cluster(), id, until.map(u -> "until " + u).orElse("for ever"));
        return BackupView.of(catalog.backups().get(id));
    }

    /** Lets retention decide about a backup again. */
    public BackupView release(String id) {
        BackupRow row = views.backupRow(id);
        repository.releaseKeep(row.cluster(), id);
        catalog.backups().unpin(id);
        log.info("cluster {}: backup {} released", row.cluster(), id);
        return BackupView.of(catalog.backups().get(id));
    }

    public List<BackupView> backups(String cluster) {
        return views.backups(cluster);
    }

    public WalStatus wal(String cluster) {
        return views.wal(cluster);
    }

    /**
     * Plans a restore into a directory on this server's machine and, unless it is a dry run,
     * starts it as a job; refusals come before anything is written (see {@link RestoreJobs}).
     */
    public RestoreJobs.Submitted restore(String cluster, RestoreRequest request) {
        return restores.submit(cluster, request);
    }

    /**
     * One WAL segment or history file of a cluster, for a restore_command elsewhere
     * ({@code backupctl --server URL wal-get}); the caller closes it.
     *
     * @throws NotFoundException {@link ErrorCode#WAL_NOT_FOUND} when the repository does not hold it
     */
    public ArchivedWalFile walFile(String cluster, String fileName) {
        views.cluster(cluster);
        return archivedWal.open(cluster, fileName).orElseThrow(() -> new NotFoundException(ErrorCode.WAL_NOT_FOUND,
                fileName + " is not in the repository of cluster " + cluster,
                "for a restore_command this is the end of the archived WAL"));
    }

    private ClusterConfig configured(String cluster) {
        return config.cluster(cluster).orElseThrow(() -> new NotFoundException(ErrorCode.CONFIG_INVALID,
                "no cluster \"" + cluster + "\" in the server's configuration", "configured clusters: "
                + String.join(", ", config.clusters().stream().map(ClusterConfig::name).toList())));
    }
}
