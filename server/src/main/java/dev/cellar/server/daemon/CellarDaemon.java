package dev.cellar.server.daemon;

import dev.cellar.catalog.Catalog;
import dev.cellar.config.CellarConfig;
import dev.cellar.config.ClusterConfig;
import dev.cellar.config.ConfigLoader;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.server.api.AdminApi;
import dev.cellar.server.backup.InterruptedWork;
import dev.cellar.server.metrics.CellarMetrics;
import dev.cellar.server.operations.ConflictException;
import dev.cellar.server.restore.RestoreJobs;
import dev.cellar.server.tls.HttpsContexts;
import dev.cellar.server.view.ReloadReport;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.stream.WalStreamStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
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
 * {@link #reload()} applies the configuration file again without a restart ({@link ConfigReload}).
 */
public final class CellarDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CellarDaemon.class);
    /** The spool, where each cluster's segment in progress is written before it is archived. */
    static final String SPOOL = "spool";

    private final Repository repository;
    private final Catalog catalog;
    private final ClusterStreams streams;
    private final ScheduledBackups backups;
    private final AdminApi api;
    private final ServerOperations operations;
    private final ConfigReload reload;
    private final RestoreJobs restores;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CellarDaemon(Repository repository, Catalog catalog, ClusterStreams streams, ScheduledBackups backups,
                         AdminApi api, ServerOperations operations, ConfigReload reload, RestoreJobs restores) {
        this.api = api;
        this.restores = restores;
        this.operations = operations;
        this.repository = repository;
        this.catalog = catalog;
        this.streams = streams;
        this.backups = backups;
        this.reload = reload;
    }

    /**
     * Starts serving the configuration file {@code configFile}; {@link #reload()} reads it again.
     *
     * @throws CellarException when the file has problems, the repository or catalog cannot be
     *                         opened, or a cluster's configuration cannot be used; nothing keeps running then
     */
    public static CellarDaemon start(Path configFile, Clock clock) {
        return start(ConfigLoader.load(configFile), () -> ConfigLoader.load(configFile), clock);
    }

    /**
     * Starts serving {@code config}, which comes from no file: {@link #reload()} is refused.
     *
     * @throws CellarException when the repository or catalog cannot be opened, the certificate or
     *                         key of {@code server.tls} or a cluster's configuration cannot be used;
     *                         nothing keeps running then
     */
    public static CellarDaemon start(CellarConfig config, Clock clock) {
        return start(config, () -> {
            throw new ConflictException(ErrorCode.CONFIG_INVALID, "this server was started without a configuration"
                    + " file: there is nothing to reload", "restart it with the new configuration");
        }, clock);
    }

    private static CellarDaemon start(CellarConfig config, Supplier<CellarConfig> source, Clock clock) {
        // First: a certificate or key that cannot be used must stop the start before anything runs.
        Optional<SSLContext> tls = config.server().tls().map(HttpsContexts::server);
        Path root = config.repository().path();
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot create the repository directory " + root + ": "
                    + e, "check repository.path and its permissions", e);
        }
        Repository repository = new Repository(LocalStore.open(root));
        Catalog catalog = Catalog.open(root.resolve("catalog.db"));
        ClusterStreams streams = null;
        ScheduledBackups backups = null;
        AdminApi api = null;
        try {
            InterruptedWork.Report report = InterruptedWork.clean(repository, catalog, clock);
            if (!report.removedBackups().isEmpty() || !report.failedJobs().isEmpty()) {
                log.warn("a previous run was interrupted: removed incomplete backups {}, failed jobs {}",
                        report.removedBackups(), report.failedJobs());
            }
            streams = new ClusterStreams(repository, catalog, root.resolve(SPOOL), clock);
            for (ClusterConfig cluster : config.clusters()) {
                streams.start(cluster);
            }
            ClusterStreams running = streams;
            CellarMetrics metrics = new CellarMetrics(config.clusters().stream().map(ClusterConfig::name).toList(),
                    () -> MetricSamples.of(catalog, running.statuses(), clock), clock);
            backups = new ScheduledBackups(repository, catalog, config.clusters(),
                    config.server().maxConcurrentBackups(), clock,
                    (cluster, outcome, backup) -> metrics.backupFinished(cluster,
                            outcome.name().toLowerCase(java.util.Locale.ROOT),
                            backup.flatMap(b -> b.endTime().map(end -> Duration.between(b.startTime(), end)))
                                    .orElse(null)));
            backups.start();
            RestoreJobs restores = new RestoreJobs(repository, catalog, clock);
            ServerOperations operations = new ServerOperations(config, repository, catalog, backups,
                    running::statuses, restores, clock);
            api = AdminApi.start(config.server().listen(), tls, config.server().token(), operations, metrics,
                    () -> health(catalog, running, clock));
            ConfigReload reload = new ConfigReload(config, source, running, backups, metrics, operations, api::token,
                    clock);
            operations.reloadWith(reload::reload);
            log.info("serving {} cluster(s) from repository {}", config.clusters().size(), root);
            return new CellarDaemon(repository, catalog, running, backups, api, operations, reload, restores);
        } catch (RuntimeException | Error e) {
            if (api != null) {
                api.close();
            }
            if (backups != null) {
                backups.close();
            }
            if (streams != null) {
                streams.close();
            }
            catalog.close();
            throw e;
        }
    }

    /**
     * Reads the configuration file again and applies it: added clusters start, removed ones stop
     * (their backups stay), changed ones take their new settings (docs/operations.md). One reload
     * runs at a time.
     *
     * @throws CellarException the file's problems or a cluster's unusable settings, when nothing
     *                         changed; a {@link ConflictException} when the server was started
     *                         without a file or is stopping
     */
    public ReloadReport reload() {
        return reload.reload();
    }

    /** Each cluster's WAL stream: state, timeline, positions, last error. */
    public Map<String, WalStreamStatus> streams() {
        return streams.statuses();
    }

    /** What the admin API serves, for in-process callers (the quickstart). */
    public ServerOperations operations() {
        return operations;
    }

    /** Where the admin API listens, e.g. {@code 127.0.0.1:8432}. */
    public String apiAddress() {
        return api.address();
    }

    private static AdminApi.HealthReport health(Catalog catalog, ClusterStreams streams, Clock clock) {
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
            reload.close(); // waits for a reload under way, so that nothing starts a stream after this
            api.close();
            backups.close();
            restores.close();
            streams.close();
        } finally {
            catalog.close();
        }
        log.info("stopped");
    }
}
