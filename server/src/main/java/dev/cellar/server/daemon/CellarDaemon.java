package dev.cellar.server.daemon;

import dev.cellar.catalog.Catalog;
import dev.cellar.config.CellarConfig;
import dev.cellar.config.ClusterConfig;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.server.backup.CatalogWalRecorder;
import dev.cellar.server.backup.InterruptedWork;
import dev.cellar.server.restore.RestoreJobs;
import dev.cellar.server.wiring.ClusterWiring;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.stream.Backoff;
import dev.cellar.walreceiver.stream.WalStream;
import dev.cellar.walreceiver.stream.WalStreamStatus;
import dev.cellar.walreceiver.stream.WalStreamSupervisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import dev.cellar.server.api.AdminApi;
import dev.cellar.server.metrics.CellarMetrics;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running server, {@code backupctl serve} (DESIGN.md §7): opens the repository and its
 * catalog (migrating the schema), cleans what a crashed previous run left (incomplete backups,
 * jobs left running), and keeps one WAL stream per configured cluster alive under a supervisor
 * (reconnects with backoff). {@link #close()} stops the streams, each flushing, fsyncing and
 * reporting its last durable position, then closes the catalog; it is bounded in time.
 *
 * <p>Full and incremental backups run on each cluster's schedule ({@link ScheduledBackups}), or
 * when asked through the admin API ({@link AdminApi}), which also serves status, checks and metrics.
 */
public final class CellarDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CellarDaemon.class);
    /** The spool, where each cluster's segment in progress is written before it is archived. */
    static final String SPOOL = "spool";

    private final Repository repository;
    private final Catalog catalog;
    private final WalStreamSupervisor supervisor;
    private final ScheduledBackups backups;
    private final AdminApi api;
    private final ServerOperations operations;
    private final RestoreJobs restores;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CellarDaemon(Repository repository, Catalog catalog, WalStreamSupervisor supervisor,
                         ScheduledBackups backups, AdminApi api, ServerOperations operations, RestoreJobs restores) {
        this.api = api;
        this.restores = restores;
        this.operations = operations;
        this.repository = repository;
        this.catalog = catalog;
        this.supervisor = supervisor;
        this.backups = backups;
    }

    /**
     * Starts serving {@code config}.
     *
     * @throws CellarException when the repository or catalog cannot be opened, or a cluster's
     *                         configuration cannot be used; nothing keeps running then
     */
    public static CellarDaemon start(CellarConfig config, Clock clock) {
        Path root = config.repository().path();
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot create the repository directory " + root + ": "
                    + e, "check repository.path and its permissions", e);
        }
        Repository repository = new Repository(LocalStore.open(root));
        Catalog catalog = Catalog.open(root.resolve("catalog.db"));
        WalStreamSupervisor supervisor = null;
        ScheduledBackups backups = null;
        AdminApi api = null;
        try {
            InterruptedWork.Report report = InterruptedWork.clean(repository, catalog, clock);
            if (!report.removedBackups().isEmpty() || !report.failedJobs().isEmpty()) {
                log.warn("a previous run was interrupted: removed incomplete backups {}, failed jobs {}",
                        report.removedBackups(), report.failedJobs());
            }
            supervisor = new WalStreamSupervisor(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60),
                    Duration.ofMinutes(10)), clock);
            Path spool = root.resolve(SPOOL);
            for (ClusterConfig cluster : config.clusters()) {
                supervisor.start(new WalStream(ClusterWiring.walStream(cluster, spool), repository,
                        new CatalogWalRecorder(catalog, repository), clock));
            }
            WalStreamSupervisor streams = supervisor;
            CellarMetrics metrics = new CellarMetrics(config.clusters().stream().map(ClusterConfig::name).toList(),
                    () -> MetricSamples.of(catalog, streams.statuses(), clock), clock);
            backups = new ScheduledBackups(repository, catalog, config.clusters(),
                    config.server().maxConcurrentBackups(), clock,
                    (cluster, outcome, backup) -> metrics.backupFinished(cluster,
                            outcome.name().toLowerCase(java.util.Locale.ROOT),
                            backup.flatMap(b -> b.endTime().map(end -> Duration.between(b.startTime(), end)))
                                    .orElse(null)));
            backups.start();
            RestoreJobs restores = new RestoreJobs(repository, catalog, clock);
            ServerOperations operations = new ServerOperations(config, repository, catalog, backups,
                    streams::statuses, restores, clock);
            api = AdminApi.start(config.server().listen(), config.server().token(), operations, metrics,
                    () -> health(catalog, streams, clock));
            log.info("serving {} cluster(s) from repository {}", config.clusters().size(), root);
            return new CellarDaemon(repository, catalog, supervisor, backups, api, operations, restores);
        } catch (RuntimeException | Error e) {
            if (api != null) {
                api.close();
            }
            if (backups != null) {
                backups.close();
            }
            if (supervisor != null) {
                supervisor.close();
            }
            catalog.close();
            throw e;
        }
    }

    /** Each cluster's WAL stream: state, timeline, positions, last error. */
    public Map<String, WalStreamStatus> streams() {
        return supervisor.statuses();
    }

    /** What the admin API serves, for in-process callers (the quickstart). */
    public ServerOperations operations() {
        return operations;
    }

    /** Where the admin API listens, e.g. {@code 127.0.0.1:8432}. */
    public String apiAddress() {
        return api.address();
    }

    private static AdminApi.HealthReport health(Catalog catalog, WalStreamSupervisor streams, Clock clock) {
        Instant now = clock.instant();
        boolean writable;
        try {
            catalog.heartbeat(now);
            writable = true;
        } catch (CellarException e) {
            log.error("health: the catalog does not take writes: {}", e.getMessage());
            writable = false;
        }
        Map<String, WalStreamStatus> statuses = streams.statuses();
        List<String> notStreaming = statuses.entrySet().stream()
                .filter(e -> e.getValue().state() != WalStreamStatus.State.STREAMING).map(Map.Entry::getKey)
                .sorted().toList();
        return new AdminApi.HealthReport(writable ? (notStreaming.isEmpty() ? "up" : "degraded") : "down", now,
                writable, statuses.size(), statuses.size() - notStreaming.size(), notStreaming);
    }

    public Repository repository() {
        return repository;
    }

    public Catalog catalog() {
        return catalog;
    }

    /** Stops the streams (each makes its WAL durable and reports it; 30 s at most), then closes the catalog. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("stopping: running backups and restores are cancelled, WAL streams flush and report their last durable position");
        try {
            api.close();
            backups.close();
            restores.close();
            supervisor.close();
        } finally {
            catalog.close();
        }
        log.info("stopped");
    }
}
