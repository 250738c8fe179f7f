package dev.cellar.server.daemon;

import dev.cellar.config.CellarConfig;
import dev.cellar.config.ClusterConfig;
import dev.cellar.config.Secret;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.server.metrics.CellarMetrics;
import dev.cellar.server.operations.ConflictException;
import dev.cellar.server.view.ReloadReport;
import dev.cellar.server.wiring.ClusterWiring;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Applies the configuration file to the running server again (SIGHUP, {@code POST /api/v1/reload},
 * {@code backupctl reload}), as far as a restart with the new file would, without touching the
 * clusters whose settings stayed the same.
 *
 * <p>The file is read by the same loader as at start; a file with problems, or a cluster whose
 * settings make no connection, changes nothing and the error is thrown (and logged). Otherwise
 * ({@link ReloadPlan}): removed clusters stop as at shutdown (the running backup is cancelled, the
 * stream makes its WAL durable and reports it, the slot is left on the server) while their
 * repository data and catalog rows stay; added clusters start as at start; changed ones restart
 * their stream only for a key the stream uses, and take new schedules and backup settings in place.
 * Server keys that need a restart are logged at WARN and keep their running value.
 *
 * <p>Thread-safe: one reload at a time (a second waits for the first); none after {@link #close()}.
 */
final class ConfigReload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigReload.class);
    private static final Duration STREAM_STOP = Duration.ofSeconds(30);

    private final Supplier<CellarConfig> source;
    private final ClusterStreams streams;
    private final ScheduledBackups backups;
    private final CellarMetrics metrics;
    private final ServerOperations operations;
    private final Consumer<Optional<Secret>> tokens;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** What the server runs now; guarded by {@link #lock}. */
    private CellarConfig running;
    private boolean closed;

    /**
     * @param source reads and validates the configuration file (throws {@link CellarException})
     * @param tokens takes a changed {@code server.token}
     */
    ConfigReload(CellarConfig running, Supplier<CellarConfig> source, ClusterStreams streams, ScheduledBackups backups,
                 CellarMetrics metrics, ServerOperations operations, Consumer<Optional<Secret>> tokens, Clock clock) {
        this.running = running;
        this.source = source;
        this.streams = streams;
        this.backups = backups;
        this.metrics = metrics;
        this.operations = operations;
        this.tokens = tokens;
        this.clock = clock;
    }

    /**
     * Reads the file and applies it; blocks while another reload runs, and while streams stop (30 s
     * at most each) and a removed cluster's cancelled backup ends (60 s at most).
     *
     * @throws CellarException the file's problems ({@link dev.cellar.config.ConfigException}, each
     *                         with its key and line) or a cluster's unusable settings; nothing changed
     */
    ReloadReport reload() {
        lock.lock();
        try {
            if (closed) {
                throw new ConflictException(ErrorCode.CONFIG_INVALID, "the server is stopping: the configuration"
                        + " was not reloaded", "it reads the configuration when it starts again");
            }
            CellarConfig next = read();
            return apply(ReloadPlan.between(running, next));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CellarException(ErrorCode.INTERNAL, "interrupted while applying the configuration: it may be"
                    + " applied in part", "reload again, or restart the server");
        } finally {
            lock.unlock();
        }
    }

    private CellarConfig read() {
        try {
            CellarConfig next = source.get();
            for (ClusterConfig cluster : next.clusters()) {
                // What ConfigLoader cannot know: settings Cellar's client cannot use (a Unix socket, no user).
                streams.check(cluster);
                ClusterWiring.backupOptions(cluster, "reload");
            }
            return next;
        } catch (CellarException e) {
            log.error("configuration reload refused; the running configuration stays:\n{}{}", e.getMessage(),
                    e.hint().map(h -> "\nHINT: " + h).orElse(""));
            throw e;
        }
    }

    private ReloadReport apply(ReloadPlan plan) throws InterruptedException {
        Map<String, String> details = new LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        List<String> restarted = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> added = new ArrayList<>();
        // Clusters whose change failed keep their running settings, so that the next reload tries again.
        Set<String> failed = new HashSet<>();
        for (String cluster : plan.removed()) {
            MDC.put("cluster", cluster);
            try {
                Optional<Long> job = backups.remove(cluster);
                ClusterStreams.Stopped stopped = streams.stop(cluster, STREAM_STOP);
                metrics.removeCluster(cluster);
                String detail = describe(stopped) + "; schedules removed"
                        + job.map(j -> "; running backup (job " + j + ") cancelled").orElse("")
                        + "; its backups and WAL stay in the repository";
                log.info("cluster {}: removed from the configuration: {}", cluster, detail);
                details.put(cluster, detail);
                removed.add(cluster);
            } finally {
                MDC.remove("cluster");
            }
        }
        for (ReloadPlan.Change change : plan.changed()) {
            String cluster = change.cluster().name();
            MDC.put("cluster", cluster);
            try {
                String keys = String.join(", ", change.keys()) + " changed";
                if (change.restartStream()) {
                    ClusterStreams.Stopped stopped = streams.stop(cluster, STREAM_STOP);
                    if (!stopped.inTime()) {
                        failed.add(cluster);
                        String detail = keys + "; its WAL stream did not stop within " + STREAM_STOP.toSeconds()
                                + " s, so the new settings are not applied: reload again once it stopped";
                        log.error("cluster {}: {}", cluster, detail);
                        details.put(cluster, detail);
                        continue;
                    }
                    streams.start(change.cluster());
                    backups.update(change.cluster());
                    details.put(cluster, keys + "; " + describe(stopped) + " and started again");
                    restarted.add(cluster);
                } else {
                    backups.update(change.cluster());
                    details.put(cluster, keys + (change.reschedule() ? "; schedules replaced" : "")
                            + "; the WAL stream goes on");
                    updated.add(cluster);
                }
                log.info("cluster {}: {}", cluster, details.get(cluster));
            } catch (RuntimeException e) {
                failed.add(cluster);
                details.put(cluster, "failed: " + e.getMessage());
                log.error("cluster {}: applying its new settings failed: {}", cluster, e.getMessage(), e);
            } finally {
                MDC.remove("cluster");
            }
        }
        for (ClusterConfig cluster : plan.added()) {
            MDC.put("cluster", cluster.name());
            try {
                metrics.addCluster(cluster.name());
                streams.start(cluster);
                backups.add(cluster);
                String detail = "WAL stream through slot " + cluster.slot() + " and schedules started";
                log.info("cluster {}: added to the configuration: {}", cluster.name(), detail);
                details.put(cluster.name(), detail);
                added.add(cluster.name());
            } catch (RuntimeException e) {
                // Undone and left out of the running configuration, so that the next reload adds it again.
                failed.add(cluster.name());
                backups.remove(cluster.name());
                streams.stop(cluster.name(), STREAM_STOP);
                metrics.removeCluster(cluster.name());
                details.put(cluster.name(), "failed: " + e.getMessage());
                log.error("cluster {}: starting it failed: {}", cluster.name(), e.getMessage(), e);
            } finally {
                MDC.remove("cluster");
            }
        }
        CellarConfig effective = plan.effective();
        if (plan.appliedLive().contains("server.token")) {
            tokens.accept(effective.server().token());
        }
        if (plan.appliedLive().contains("server.max_concurrent_backups")) {
            backups.maxConcurrent(effective.server().maxConcurrentBackups());
        }
        for (String key : plan.needsRestart()) {
            log.warn("configuration reload: {} changed, which takes effect only when the server starts again;"
                    + " the running value stays", key);
        }
        running = keepRunningSettings(effective, failed);
        operations.reconfigure(running);
        log.info("configuration reloaded: added {}, removed {}, restarted {}, updated {}, unchanged {}{}{}", added,
                removed, restarted, updated, plan.unchanged(), plan.appliedLive().isEmpty() ? ""
                        : ", applied " + plan.appliedLive(), plan.needsRestart().isEmpty() ? ""
                        : ", needing a restart " + plan.needsRestart());
        return new ReloadReport(clock.instant(), added, removed, restarted, updated, plan.unchanged(),
                plan.appliedLive(), plan.needsRestart(), details);
    }

    /** {@code effective}, but with the running settings of the clusters whose change failed. */
    private CellarConfig keepRunningSettings(CellarConfig effective, Set<String> failed) {
        if (failed.isEmpty()) {
            return effective;
        }
        List<ClusterConfig> clusters = new ArrayList<>();
        for (ClusterConfig cluster : effective.clusters()) {
            if (!failed.contains(cluster.name())) {
                clusters.add(cluster);
            } else {
                running.cluster(cluster.name()).ifPresent(clusters::add);
            }
        }
        return new CellarConfig(effective.repository(), effective.server(), effective.defaults(), effective.offsite(),
                clusters);
    }

    private static String describe(ClusterStreams.Stopped stopped) {
        if (!stopped.inTime()) {
            return "WAL stream asked to stop (it did not within " + STREAM_STOP.toSeconds() + " s)";
        }
        return stopped.durable().map(lsn -> "WAL stream stopped at " + lsn + " (durable)")
                .orElse("WAL stream stopped (it had received nothing)");
    }

    /** Refuses reloads from now on; waits for one that runs. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
    }
}
