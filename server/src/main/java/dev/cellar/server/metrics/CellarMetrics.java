package dev.cellar.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics ({@code /metrics}). Per cluster: whether WAL streams, its lag in
 * bytes and seconds, when WAL last arrived, the newest successful backup's age, size and duration,
 * repository bytes, WAL gaps, stream reconnections and backup jobs by outcome; plus the JVM's memory
 * and threads.
 *
 * <p>Values that need the catalog are read once per scrape into a snapshot ({@link #scrape()}),
 * not once per gauge: a scrape costs a few catalog queries per cluster, whatever the number of gauges.
 *
 * <p>The per-cluster series are those of the configured clusters: a configuration reload adds a
 * cluster's ({@link #addCluster}) and removes them all ({@link #removeCluster}), so that the
 * exposition after a reload is the one a restart with the new configuration would give.
 */
public final class CellarMetrics {
    /** What the gauges of one cluster read; produced by the server for each scrape. */
    public record ClusterSample(boolean streaming, long lagBytes, double lagSeconds, Instant lastWalAt,
                                Instant lastBackupAt, long lastBackupBytes, long lastBackupStoredBytes,
                                long walStoredBytes, long backupStoredBytes, int gaps, long reconnects) {
        static final ClusterSample EMPTY = new ClusterSample(false, 0, 0, null, null, 0, 0, 0, 0, 0, 0);
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Supplier<Map<String, ClusterSample>> sampler;
    private final AtomicReference<Map<String, ClusterSample>> snapshot = new AtomicReference<>(Map.of());
    private final Map<String, Timer> backupDurations = new ConcurrentHashMap<>();
    /** The clusters that have series; guarded by {@code this}, so that no late job re-creates a removed one's. */
    private final Set<String> clusters = new HashSet<>();
    private final Clock clock;

    /**
     * @param clusters the configured clusters, each getting its gauges
     * @param sampler  reads every cluster's current values (called once per scrape)
     */
    public CellarMetrics(List<String> clusters, Supplier<Map<String, ClusterSample>> sampler, Clock clock) {
        this.sampler = sampler;
        this.clock = clock;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        clusters.forEach(this::addCluster);
    }

    /** Gives a cluster its series (a cluster added by a reload); nothing when it has them already. */
    public synchronized void addCluster(String cluster) {
        if (clusters.add(cluster)) {
            register(cluster);
        }
    }

    /**
     * Drops every series of a cluster removed from the configuration, counters included, as a
     * restart would. Its data stays in the repository; {@code backupctl list-clusters} still shows it.
     */
    public synchronized void removeCluster(String cluster) {
        if (!clusters.remove(cluster)) {
            return;
        }
        for (Meter meter : List.copyOf(registry.getMeters())) {
            if (cluster.equals(meter.getId().getTag("cluster"))) {
                registry.remove(meter);
            }
        }
        backupDurations.remove(cluster);
    }

    private void register(String cluster) {
        gauge("cellar_wal_streaming", "1 while the cluster's WAL stream is streaming, else 0", cluster,
                s -> s.streaming() ? 1 : 0);
        gauge("cellar_wal_lag_bytes", "WAL the server has that is not durable in Cellar yet", cluster,
                s -> s.lagBytes());
        gauge("cellar_wal_lag_seconds", "How long the durable WAL position has been behind the server", cluster,
                ClusterSample::lagSeconds);
        gauge("cellar_wal_last_received_timestamp_seconds", "When the server last sent anything (Unix time)", cluster,
                s -> epochSeconds(s.lastWalAt()));
        gauge("cellar_wal_gaps", "WAL gaps recorded for the cluster", cluster, s -> s.gaps());
        gauge("cellar_backup_last_success_timestamp_seconds", "When the newest restorable backup ended (Unix time)",
                cluster, s -> epochSeconds(s.lastBackupAt()));
        gauge("cellar_backup_last_success_age_seconds", "Age of the newest restorable backup", cluster,
                s -> s.lastBackupAt() == null ? Double.NaN
                        : Duration.between(s.lastBackupAt(), clock.instant()).toMillis() / 1000.0);
        gauge("cellar_backup_last_success_bytes", "Size of the newest restorable backup's data", cluster,
                s -> s.lastBackupBytes());
        gauge("cellar_backup_last_success_stored_bytes", "Size of the newest restorable backup as stored", cluster,
                s -> s.lastBackupStoredBytes());
        Gauge.builder("cellar_repository_bytes", () -> sample(cluster).walStoredBytes())
                .description("Bytes the cluster occupies in the repository").tag("cluster", cluster).tag("kind", "wal")
                .register(registry);
        Gauge.builder("cellar_repository_bytes", () -> sample(cluster).backupStoredBytes())
                .description("Bytes the cluster occupies in the repository").tag("cluster", cluster)
                .tag("kind", "backup").register(registry);
        FunctionCounter.builder("cellar_wal_stream_reconnects", this, m -> m.sample(cluster).reconnects())
                .description("Times the WAL stream connected again after losing its server").tag("cluster", cluster)
                .register(registry);
        for (String outcome : List.of("succeeded", "failed", "skipped")) {
            jobs(cluster, outcome);
        }
    }

    /**
     * Records the end of a backup job; {@code duration} only for a backup that was taken. A job of
     * a cluster removed meanwhile (its backup cancelled by the reload) is not counted.
     */
    public synchronized void backupFinished(String cluster, String outcome, Duration duration) {
        if (!clusters.contains(cluster)) {
            return;
        }
        jobs(cluster, outcome).increment();
        if (duration != null) {
            backupDurations.computeIfAbsent(cluster, c -> Timer.builder("cellar_backup_duration")
                    .description("Wall time of backups that were taken").tag("cluster", c).register(registry))
                    .record(duration);
        }
    }

    private Counter jobs(String cluster, String outcome) {
        return Counter.builder("cellar_backup_jobs").description("Backup jobs by how they ended")
                .tag("cluster", cluster).tag("outcome", outcome).register(registry);
    }

    /** The Prometheus text exposition, with fresh per-cluster values. */
    public String scrape() {
        snapshot.set(Map.copyOf(sampler.get()));
        return registry.scrape();
    }

    private void gauge(String name, String description, String cluster, ToDoubleFunction<ClusterSample> value) {
        Gauge.builder(name, () -> value.applyAsDouble(sample(cluster))).description(description)
                .tag("cluster", cluster).register(registry);
    }

    private ClusterSample sample(String cluster) {
        return snapshot.get().getOrDefault(cluster, ClusterSample.EMPTY);
    }

    private static double epochSeconds(Instant instant) {
        return instant == null ? Double.NaN : instant.toEpochMilli() / 1000.0;
    }
}
