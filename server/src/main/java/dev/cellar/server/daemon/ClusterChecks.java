package dev.cellar.server.daemon;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.JobOutcome;
import dev.cellar.catalog.JobRow;
import dev.cellar.config.CellarConfig;
import dev.cellar.config.ClusterConfig;
import dev.cellar.core.CellarException;
import dev.cellar.server.backup.BackupJob;
import dev.cellar.server.operations.CatalogViews;
import dev.cellar.server.view.CheckReport;
import dev.cellar.server.view.CheckReport.Line;
import dev.cellar.server.view.WindowView;
import dev.cellar.server.wiring.ClusterWiring;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.ReplicationConnector;
import dev.cellar.walreceiver.connection.ReplicationSlotInfo;
import dev.cellar.walreceiver.stream.WalStreamStatus;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code backupctl check}: what a DBA verifies by hand before trusting backups of a cluster, in
 * Barman's manner — one line per fact, OK or FAILED with a hint. Connects to the cluster's server
 * once over the replication protocol; everything else comes from the running stream, the catalog
 * and the repository's file system.
 */
final class ClusterChecks {
    /** The stream hears from the server at least every wal_sender_timeout / 2 (30 s by default). */
    static final Duration SILENCE = Duration.ofMinutes(2);
    /** Below this share of free space the repository's disk is reported as nearly full. */
    static final double MIN_FREE_SHARE = 0.05;

    private final CellarConfig config;
    private final Repository repository;
    private final Catalog catalog;
    private final CatalogViews views;
    private final Supplier<Map<String, WalStreamStatus>> streams;
    private final Clock clock;

    ClusterChecks(CellarConfig config, Repository repository, Catalog catalog, CatalogViews views,
                  Supplier<Map<String, WalStreamStatus>> streams, Clock clock) {
        this.config = config;
        this.repository = repository;
        this.catalog = catalog;
        this.views = views;
        this.streams = streams;
        this.clock = clock;
    }

    CheckReport run(ClusterConfig cluster) {
        List<Line> lines = new ArrayList<>();
        server(cluster, lines);
        stream(cluster, lines);
        backups(cluster, lines);
        diskSpace(lines);
        return new CheckReport(cluster.name(), lines.stream().allMatch(Line::ok), lines);
    }

    private void server(ClusterConfig cluster, List<Line> lines) {
        try (ReplicationConnection connection = ReplicationConnector.connect(ClusterWiring.connection(cluster))) {
            int version = connection.serverVersionNum();
            lines.add(ok("connection", "connected to " + connection.endpoint() + " as " + connection.user() + " ("
                    + connection.authenticationMethod().name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + "), PostgreSQL " + version / 10000 + "." + version % 10000));
            lines.add(ok("replication privilege", "the server accepted a replication connection for "
                    + connection.user()));
            String systemId = connection.identifySystem().systemId();
            Optional<ClusterInfo> known = repository.cluster(cluster.name());
            lines.add(known.filter(info -> !info.systemIdentifier().equals(systemId))
                    .map(info -> failed("system identifier", "the server is system " + systemId
                                    + " but the repository holds cluster " + info.systemIdentifier(),
                            "the conninfo points at another cluster; fix it, or give this one a new name"))
                    .orElseGet(() -> ok("system identifier", systemId + (known.isPresent() ? " (matches the repository)"
                            : " (not in the repository yet)"))));
            String walLevel = connection.show("wal_level");
            lines.add(walLevel.equals("minimal")
                    ? failed("wal_level", "minimal", "set wal_level = replica and restart PostgreSQL")
                    : ok("wal_level", walLevel));
            int senders = Integer.parseInt(connection.show("max_wal_senders"));
            lines.add(senders < 2
                    ? failed("max_wal_senders", String.valueOf(senders),
                    "set max_wal_senders to at least 2 (WAL streaming and a base backup at once) and restart")
                    : ok("max_wal_senders", String.valueOf(senders)));
            Optional<ReplicationSlotInfo> slot = connection.readReplicationSlot(cluster.slot());
            lines.add(slot.map(s -> ok("replication slot", cluster.slot() + " (" + s.slotType() + ", restart_lsn "
                            + s.restartLsn().map(Object::toString).orElse("none") + ")"))
                    .orElseGet(() -> failed("replication slot", cluster.slot() + " does not exist",
                            "the WAL stream creates it when it connects; check the stream's last error")));
            if (cluster.schedule().incremental().isPresent()) {
                if (version >= 170000) {
                    String summarize = connection.show("summarize_wal");
                    lines.add(summarize.equals("on") ? ok("summarize_wal", "on")
                            : failed("summarize_wal", summarize + ": incremental backups fall back to "
                                    + cluster.incrementalFallback().name().toLowerCase(Locale.ROOT),
                            "set summarize_wal = on (no restart needed) for incremental backups"));
                } else {
                    lines.add(ok("summarize_wal", "PostgreSQL " + version / 10000
                            + " has no incremental backups: scheduled incremental runs take full backups"));
                }
            }
        } catch (CellarException e) {
            lines.add(failed("connection", e.getMessage(), e.hint().orElse("check conninfo and password of cluster "
                    + cluster.name())));
        }
    }

    private void stream(ClusterConfig cluster, List<Line> lines) {
        WalStreamStatus status = streams.get().get(cluster.name());
        Instant now = clock.instant();
        if (status == null) {
            lines.add(failed("WAL stream", "not running", "restart the server"));
            return;
        }
        if (status.state() != WalStreamStatus.State.STREAMING) {
            lines.add(failed("WAL stream", status.state().name().toLowerCase(Locale.ROOT)
                    + status.lastError().map(e -> ": " + e).orElse(""), "see the server's log for cluster "
                    + cluster.name()));
            return;
        }
        lines.add(ok("WAL stream", "streaming timeline " + status.timeline().map(Object::toString).orElse("?")
                + " from " + status.server().orElse("?") + ", durable up to " + status.flushed()
                + ", " + status.lagBytes() + " bytes behind"));
        Optional<Instant> last = status.lastMessageAt();
        boolean quiet = last.isEmpty() || Duration.between(last.get(), now).compareTo(SILENCE) > 0;
        lines.add(quiet
                ? failed("WAL arriving", "nothing heard from the server " + last.map(t -> "since " + t).orElse("yet"),
                "the connection may hang; check the network and wal_sender_timeout")
                : ok("WAL arriving", "last message " + Duration.between(last.get(), now).toSeconds() + " s ago"));
    }

    private void backups(ClusterConfig cluster, List<Line> lines) {
        if (catalog.clusters().find(cluster.name()).isEmpty()) {
            lines.add(failed("last backup", "none yet", "wait for the first scheduled backup, or: backupctl backup"
                    + " --cluster " + cluster.name()));
            return;
        }
        Instant now = clock.instant();
        Optional<BackupRow> newest = catalog.backups().list(cluster.name()).stream().filter(BackupRow::isRestorable)
                .max(Comparator.comparing(BackupRow::startTime));
        Optional<JobRow> lastJob = catalog.jobs().recent(cluster.name(), 20).stream()
                .filter(j -> j.type().equals(BackupJob.TYPE) && j.outcome() != JobOutcome.RUNNING)
                .findFirst();
        if (newest.isEmpty()) {
            lines.add(failed("last backup", "no restorable backup", "take one: backupctl backup --cluster "
                    + cluster.name()));
        } else if (lastJob.filter(j -> j.outcome() == JobOutcome.FAILED).isPresent()) {
            lines.add(failed("last backup", "the last backup job failed: " + lastJob.get().message().orElse("")
                    + "; newest restorable backup " + newest.get().id(), "fix the cause and run backupctl backup"
                    + " --cluster " + cluster.name()));
        } else {
            Duration age = Duration.between(newest.get().endTime().orElse(newest.get().startTime()), now);
            Optional<Instant> nextFull = ScheduledBackups.nextFire(cluster.schedule().full(), now);
            lines.add(ok("last backup", newest.get().id() + ", " + age.toHours() + " h old"
                    + nextFull.map(n -> "; next full backup " + n).orElse("")));
        }
        List<WindowView> windows = views.recoverable(cluster.name(), now);
        int gaps = catalog.walGaps().list(cluster.name()).size();
        if (windows.size() > 1) {
            lines.add(failed("WAL gaps", gaps + " recorded; point-in-time restore is possible only within "
                    + windows.size() + " separate windows", "see backupctl wal-status --cluster " + cluster.name()
                    + "; a new full backup starts a whole window"));
        } else if (newest.isPresent() && windows.isEmpty()) {
            lines.add(failed("WAL gaps", "the WAL after backup " + newest.get().id() + " is incomplete",
                    "see backupctl wal-status --cluster " + cluster.name()));
        } else {
            lines.add(ok("WAL gaps", gaps == 0 ? "none" : gaps + " before the recoverable window"));
        }
    }

    private void diskSpace(List<Line> lines) {
        try {
            FileStore store = Files.getFileStore(config.repository().path());
            long total = store.getTotalSpace();
            long free = store.getUsableSpace();
            String detail = human(free) + " free of " + human(total) + " at " + config.repository().path();
            lines.add(total > 0 && (double) free / total < MIN_FREE_SHARE
                    ? failed("disk space", detail, "free space or grow the volume: WAL keeps arriving")
                    : ok("disk space", detail));
        } catch (IOException e) {
            lines.add(failed("disk space", "cannot read the file system of " + config.repository().path() + ": " + e,
                    "check repository.path"));
        }
    }

    private static String human(long bytes) {
        return "%.1f GiB".formatted(bytes / (1024.0 * 1024 * 1024));
    }

    private static Line ok(String name, String detail) {
        return new Line(name, true, detail, null);
    }

    private static Line failed(String name, String detail, String hint) {
        return new Line(name, false, detail, hint);
    }
}
