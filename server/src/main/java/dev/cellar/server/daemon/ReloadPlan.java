package dev.cellar.server.daemon;

import dev.cellar.config.CellarConfig;
import dev.cellar.config.ClusterConfig;
import dev.cellar.config.ServerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What reloading the configuration changes on a running server: the running configuration and the
 * one just read, compared cluster by cluster (by name) and key by key. Pure, so that every rule is
 * unit-tested without a server ({@code ReloadPlanTest}); {@link ConfigReload} carries it out.
 *
 * <p>A cluster's stream restarts only for a key the stream uses; schedules are replaced when they
 * change; the other keys are read by each backup (and retention) when it starts, so taking the new
 * configuration is all they need. Server keys the running process cannot change ({@code
 * repository.path}, {@code server.listen}, {@code server.tls}, {@code offsite}) keep their running values and are
 * listed in {@link #needsRestart()}; the token and the backup limit apply at once.
 *
 * @param effective    the configuration the server runs after the reload: {@code next}, but with the
 *                     running values of the keys that need a restart
 * @param added        clusters in {@code next} only, in its order
 * @param removed      names of clusters in the running configuration only
 * @param changed      clusters in both whose settings differ, in {@code next}'s order
 * @param unchanged    names of clusters in both with equal settings
 * @param appliedLive  server keys that changed and apply without a restart
 * @param needsRestart server keys that changed but apply only when the server starts again
 */
record ReloadPlan(CellarConfig effective, List<ClusterConfig> added, List<String> removed, List<Change> changed,
                  List<String> unchanged, List<String> appliedLive, List<String> needsRestart) {
    /** What a setting of a cluster takes to apply. */
    enum Effect {
        /** The WAL stream connects with it: the stream stops (durably) and starts again. */
        STREAM,
        /** A backup schedule: the cluster's Quartz triggers are replaced. */
        SCHEDULE,
        /** Read when a backup or a retention decision starts: nothing to restart. */
        NEXT_USE
    }

    /**
     * One configured cluster whose settings differ.
     *
     * @param keys the keys that differ, as written in the configuration ({@code conninfo}, {@code schedule.full})
     */
    record Change(ClusterConfig cluster, List<String> keys, boolean restartStream, boolean reschedule) {
        public Change {
            keys = List.copyOf(keys);
        }
    }

    private record Key(String name, Effect effect, Function<ClusterConfig, Object> value) {
    }

    /**
     * Every setting of {@link ClusterConfig}, with what a change of it takes. A component missing
     * here still counts: a cluster whose settings differ in no listed key restarts its stream.
     */
    private static final List<Key> CLUSTER_KEYS = List.of(
            new Key("conninfo", Effect.STREAM, ClusterConfig::conninfo),
            new Key("password", Effect.STREAM, ClusterConfig::password),
            new Key("slot", Effect.STREAM, ClusterConfig::slot),
            new Key("synchronous", Effect.STREAM, ClusterConfig::synchronous),
            new Key("compression", Effect.STREAM, ClusterConfig::compression),
            new Key("schedule.full", Effect.SCHEDULE, c -> c.schedule().full()),
            new Key("schedule.incremental", Effect.SCHEDULE, c -> c.schedule().incremental()),
            new Key("schedule.verify", Effect.NEXT_USE, c -> c.schedule().verify()),
            new Key("backup_from", Effect.NEXT_USE, ClusterConfig::backupFrom),
            new Key("incremental_fallback", Effect.NEXT_USE, ClusterConfig::incrementalFallback),
            new Key("max_rate", Effect.NEXT_USE, ClusterConfig::maxRate),
            new Key("checkpoint", Effect.NEXT_USE, ClusterConfig::checkpoint),
            new Key("server_compression", Effect.NEXT_USE, ClusterConfig::serverCompression),
            new Key("manifest_checksums", Effect.NEXT_USE, ClusterConfig::manifestChecksums),
            new Key("retention.recovery_window", Effect.NEXT_USE, c -> c.retention().recoveryWindow()),
            new Key("retention.keep_daily", Effect.NEXT_USE, c -> c.retention().keepDaily()),
            new Key("retention.keep_weekly", Effect.NEXT_USE, c -> c.retention().keepWeekly()),
            new Key("retention.keep_monthly", Effect.NEXT_USE, c -> c.retention().keepMonthly()),
            new Key("retention.min_full", Effect.NEXT_USE, c -> c.retention().minFull()));

    public ReloadPlan {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        unchanged = List.copyOf(unchanged);
        appliedLive = List.copyOf(appliedLive);
        needsRestart = List.copyOf(needsRestart);
    }

    /** The plan that takes a server running {@code running} to {@code next}. */
    static ReloadPlan between(CellarConfig running, CellarConfig next) {
        Map<String, ClusterConfig> before = running.clusters().stream()
                .collect(Collectors.toMap(ClusterConfig::name, Function.identity()));
        List<ClusterConfig> added = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (ClusterConfig cluster : next.clusters()) {
            ClusterConfig old = before.get(cluster.name());
            if (old == null) {
                added.add(cluster);
            } else if (old.equals(cluster)) {
                unchanged.add(cluster.name());
            } else {
                changed.add(change(old, cluster));
            }
        }
        List<String> removed = running.clusters().stream().map(ClusterConfig::name)
                .filter(name -> next.cluster(name).isEmpty()).toList();

        List<String> needsRestart = new ArrayList<>();
        if (!running.repository().equals(next.repository())) {
            needsRestart.add("repository.path");
        }
        if (!running.server().listen().equals(next.server().listen())) {
            needsRestart.add("server.listen");
        }
        if (!running.server().tls().equals(next.server().tls())) {
            needsRestart.add("server.tls");
        }
        if (!running.offsite().equals(next.offsite())) {
            needsRestart.add("offsite");
        }
        List<String> appliedLive = new ArrayList<>();
        if (!running.server().token().equals(next.server().token())) {
            appliedLive.add("server.token");
        }
        if (running.server().maxConcurrentBackups() != next.server().maxConcurrentBackups()) {
            appliedLive.add("server.max_concurrent_backups");
        }
        CellarConfig effective = new CellarConfig(running.repository(), new ServerSettings(running.server().listen(),
                running.server().tls(), next.server().token(), next.server().maxConcurrentBackups()), next.defaults(), running.offsite(),
                next.clusters());
        return new ReloadPlan(effective, added, removed, changed, unchanged, appliedLive, needsRestart);
    }

    private static Change change(ClusterConfig old, ClusterConfig next) {
        List<String> keys = new ArrayList<>();
        boolean restart = false;
        boolean reschedule = false;
        for (Key key : CLUSTER_KEYS) {
            if (!Objects.equals(key.value().apply(old), key.value().apply(next))) {
                keys.add(key.name());
                restart |= key.effect() == Effect.STREAM;
                reschedule |= key.effect() == Effect.SCHEDULE;
            }
        }
        if (keys.isEmpty()) {
            // A setting this table does not know yet: restarting the stream is the safe guess.
            return new Change(next, List.of("settings"), true, true);
        }
        return new Change(next, keys, restart, reschedule);
    }
}
