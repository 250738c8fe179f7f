package dev.cellar.server.backup;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.JobOutcome;
import dev.cellar.catalog.JobRow;
import dev.cellar.catalog.RepositoryRecords;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.backup.BackupChangeDetector;
import dev.cellar.walreceiver.backup.BackupFrom;
import dev.cellar.walreceiver.backup.BackupOutcome;
import dev.cellar.walreceiver.backup.BackupRequest;
import dev.cellar.walreceiver.backup.BaseBackupOptions;
import dev.cellar.walreceiver.backup.BaseBackupRun;
import dev.cellar.walreceiver.backup.ChangeCheck;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.ReplicationConnector;
import dev.cellar.walreceiver.connection.TargetSessionAttrs;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backup job of a cluster, as the scheduler or {@code backupctl backup} runs it: records the
 * job, skips a scheduled backup when nothing changed since the last one, picks the parent of an
 * incremental backup, takes the backup ({@link BaseBackupRun}), and catalogues it after its
 * {@code backup.json} is written, as {@code waiting_for_wal} or {@code complete}. A failure is
 * recorded with its message and rethrown.
 *
 * <p>Never two at once for one cluster: the caller holds the cluster's backup lock.
 */
public final class BackupJob {
    private static final Logger LOG = LoggerFactory.getLogger(BackupJob.class);
    /** The job type in the catalog. */
    public static final String TYPE = "backup";
    /** IDs chosen by backups of this process that are not catalogued yet. */
    private static final Set<String> RESERVED_IDS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Repository repository;
    private final Catalog catalog;
    private final Clock clock;

    public BackupJob(Repository repository, Catalog catalog, Clock clock) {
        this.repository = repository;
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * @param incremental     build on the cluster's newest backup (PostgreSQL 17+)
     * @param fallbackToFull  take a full backup when an incremental one is impossible, else fail
     * @param skipIfUnchanged a scheduled run: skip when no data changed since the newest backup
     */
    public record Request(String cluster, ReplicationConnectionSettings connection, BackupFrom from,
                          BaseBackupOptions options, Codec codec, BackupWriterSettings writer, boolean incremental,
                          boolean fallbackToFull, boolean skipIfUnchanged) {
        public Request {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(codec, "codec");
            Objects.requireNonNull(writer, "writer");
        }
    }

    /** How a job ended, other than by failing. */
    public sealed interface Result {
        /** A backup was taken and catalogued. */
        record Taken(BackupRow backup, List<String> notes) implements Result {
        }

        /** Nothing changed since the newest backup; the job is recorded as skipped with the reason. */
        record Skipped(String reason) implements Result {
        }
    }

    /**
     * Runs the job.
     *
     * @param started receives the run once it exists, for progress and cancellation
     * @throws CellarException why the backup failed (also recorded on the job)
     */
    public Result run(Request request, Consumer<BaseBackupRun> started) {
        return run(request, begin(request), started);
    }

    /**
     * Records the job as running (registering the cluster first when the catalog does not know it
     * yet, which connects to its server), so that a caller can name the job before the backup
     * starts. Hand the job to {@link #run(Request, JobRow, Consumer)}, or finish it as cancelled.
     *
     * @throws CellarException when the cluster cannot be registered (its server is unreachable)
     */
    public JobRow begin(Request request) {
        String cluster = request.cluster();
        ClusterRegistration.ensure(catalog, repository, cluster, () -> ReplicationConnector.connect(request.connection()),
                clock);
        return catalog.jobs().start(cluster, TYPE, clock.instant());
    }

    /** Runs the job recorded by {@link #begin}. */
    public Result run(Request request, JobRow job, Consumer<BaseBackupRun> started) {
        String cluster = request.cluster();
        try {
            Optional<BackupRow> newest = newestBackup(cluster);
            // Only a restorable backup makes a new one unnecessary: one still waiting for WAL may
            // never get it (a gap), and skipping behind it would leave the cluster without any.
            Optional<BackupRow> restorable = newest.filter(BackupRow::isRestorable);
            if (request.skipIfUnchanged() && restorable.isPresent()) {
                ChangeCheck check = changeSince(request, restorable.get());
                if (!check.changed()) {
                    String reason = "skipped: nothing changed since backup " + restorable.get().id() + " (" + check.reason()
                            + ")";
                    catalog.jobs().finish(job.id(), JobOutcome.SKIPPED, clock.instant(), reason);
                    LOG.info("cluster {}: scheduled backup {}", cluster, reason);
                    return new Result.Skipped(reason);
                }
                LOG.info("cluster {}: backing up: {}", cluster, check.reason());
            }
            List<String> notes = new ArrayList<>();
            Optional<BackupInfo> parent = Optional.empty();
            if (request.incremental()) {
                parent = newest.flatMap(row -> repository.backup(cluster, row.id()));
                if (parent.isEmpty()) {
                    String reason = "cluster " + cluster + " has no backup to build an incremental one on";
                    if (!request.fallbackToFull()) {
                        throw new CellarException(ErrorCode.BACKUP_FAILED, "incremental backup of cluster " + cluster
                                + " is impossible: " + reason, "take a full backup first");
                    }
                    notes.add("took a full backup instead of an incremental one: " + reason);
                }
            }
            BackupRequest backupRequest = new BackupRequest(cluster, request.connection(), request.from(),
                    request.options(), request.codec(), request.writer(), parent, request.fallbackToFull());
            // Backup IDs are timestamps, unique within a cluster's directory; the catalog keys backups
            // by ID alone, so two clusters backed up in the same second must not pick the same one.
            Set<String> reserved = new java.util.HashSet<>();
            BaseBackupRun run = new BaseBackupRun(repository, backupRequest, clock, id -> {
                boolean free = catalog.backups().find(id).isEmpty() && RESERVED_IDS.add(id);
                if (free) {
                    reserved.add(id);
                }
                return free;
            });
            started.accept(run);
            BackupOutcome outcome;
            BackupRow row;
            try {
                outcome = run.execute();
                row = catalogue(outcome.backup());
            } finally {
                RESERVED_IDS.removeAll(reserved);
            }
            notes.addAll(outcome.notes());
            String summary = "backup " + row.id() + " (" + row.kind().name().toLowerCase(java.util.Locale.ROOT) + ", "
                    + row.status().name().toLowerCase(java.util.Locale.ROOT) + ")"
                    + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
            catalog.jobs().finish(job.id(), JobOutcome.SUCCEEDED, clock.instant(), summary);
            return new Result.Taken(row, notes);
        } catch (CellarException e) {
            catalog.jobs().finish(job.id(), JobOutcome.FAILED, clock.instant(), e.getMessage());
            throw e;
        } catch (RuntimeException | Error e) {
            // Errors too (out of memory): a job left "running" would later read as interrupted.
            catalog.jobs().finish(job.id(), JobOutcome.FAILED, clock.instant(), e.toString());
            throw e;
        }
    }

    /** Catalogues a committed backup: waiting for WAL, or complete when its WAL is already here. */
    BackupRow catalogue(BackupInfo info) {
        ClusterRegistration.ensure(catalog, repository, info.cluster());
        BackupRow waiting = RepositoryRecords.backup(info, BackupStatus.WAITING_FOR_WAL);
        BackupStatus status = new BackupStatusRefresher(catalog).statusOf(info.cluster(), waiting);
        BackupRow row = status == BackupStatus.COMPLETE ? BackupStatusRefresher.withStatus(waiting, status) : waiting;
        catalog.backups().save(row, RepositoryRecords.databases(info), RepositoryRecords.tablespaces(info));
        if (row.status() == BackupStatus.WAITING_FOR_WAL) {
            // The WAL stream may have catalogued the end segment between the check above and the
            // save, and refreshed before this row existed: look again, or it would wait until the
            // next segment, which an idle cluster may not write for hours.
            new BackupStatusRefresher(catalog).refresh(info.cluster());
            return catalog.backups().get(row.id());
        }
        return row;
    }

    private Optional<BackupRow> newestBackup(String cluster) {
        if (catalog.clusters().find(cluster).isEmpty()) {
            return Optional.empty();
        }
        return catalog.backups().list(cluster, Set.of(BackupStatus.COMPLETE, BackupStatus.WAITING_FOR_WAL)).stream()
                .max(Comparator.comparing(BackupRow::startTime).thenComparing(BackupRow::startLsn));
    }

    /**
     * Asks the primary, whatever {@code backup_from} says: a standby that stopped replaying would
     * report an old position, and every scheduled backup would be skipped while the primary changes.
     * No primary reachable, or any other doubt, means "changed".
     */
    private ChangeCheck changeSince(Request request, BackupRow previous) {
        ClusterInfo cluster = repository.cluster(request.cluster()).orElseThrow();
        BackupChangeDetector detector = new BackupChangeDetector(repository, request.cluster(),
                Long.parseUnsignedLong(cluster.systemIdentifier()), WalSegmentSize.of(cluster.walSegmentSize()));
        ReplicationConnectionSettings primary = request.connection().withTargetSessionAttrs(TargetSessionAttrs.PRIMARY);
        try {
            return detector.check(previous.endLsn().orElseThrow(), previous.endTimeline().orElseThrow(),
                    () -> ReplicationConnector.connect(primary));
        } catch (CellarException e) {
            return new ChangeCheck(true, "could not ask the primary what changed (" + e.getMessage() + ")");
        }
    }
}
