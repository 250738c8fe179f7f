package dev.cellar.walreceiver.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.backup.BackupLabel;
import dev.cellar.core.backup.BackupManifest;
import dev.cellar.storage.backup.ArchiveSink;
import dev.cellar.storage.backup.BackupContents;
import dev.cellar.storage.backup.BackupFiles;
import dev.cellar.storage.backup.BackupWriter;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.RepositoryLayout;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.ReplicationConnector;
import dev.cellar.walreceiver.connection.ServerErrorException;
import dev.cellar.walreceiver.connection.SystemIdentification;
import dev.cellar.walreceiver.stream.ServerIdentity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Takes one base backup of a cluster into the repository: connects to a server the request
 * allows, decides full or incremental (PostgreSQL 17+ with {@code summarize_wal}, else the
 * configured fallback), records the databases and tablespaces through SQL, runs BASE_BACKUP
 * (after UPLOAD_MANIFEST for an incremental), stores the archives in chunks, checks every file
 * against PostgreSQL's manifest, and commits {@code backup.json}. Until that commit nothing it
 * wrote is a backup, and on failure or {@link #cancel()} it deletes what it wrote.
 *
 * <p>Cataloguing is the caller's: wal-receiver writes no catalog rows. {@link #progress()} and
 * {@link #cancel()} may be called from any thread while {@link #execute()} runs on one.
 */
public final class BaseBackupRun {
    private static final Logger LOG = LoggerFactory.getLogger(BaseBackupRun.class);
    private static final int PG17 = 170000;

    private final Repository repository;
    private final BackupRequest request;
    private final Clock clock;
    private final java.util.function.Predicate<String> reserveId;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final Instant createdAt;

    private volatile ReplicationConnection connection;
    private volatile BackupWriter writer;
    private volatile BackupProgress.Phase phase = BackupProgress.Phase.PREPARING;
    private volatile long serverBytesDone;
    private volatile OptionalLong estimate = OptionalLong.empty();
    private volatile Instant dataStartedAt;

    public BaseBackupRun(Repository repository, BackupRequest request, Clock clock) {
        this(repository, request, clock, id -> true);
    }

    /**
     * @param reserveId asked for each candidate ID not used in the cluster's repository directory;
     *                  true reserves it (the caller keeps it unique beyond this cluster, e.g. in a
     *                  catalog keyed by backup ID), false makes the run try the next one
     */
    public BaseBackupRun(Repository repository, BackupRequest request, Clock clock,
                         java.util.function.Predicate<String> reserveId) {
        this.repository = repository;
        this.request = request;
        this.clock = clock;
        this.createdAt = clock.instant();
        this.reserveId = reserveId;
    }

    /** Where the backup is now; any thread. */
    public BackupProgress progress() {
        BackupWriter w = writer;
        long received = w == null ? 0 : w.progress().bytesReceived();
        long stored = w == null ? 0 : w.progress().bytesStored();
        Instant start = dataStartedAt != null ? dataStartedAt : createdAt;
        return new BackupProgress(phase, Math.max(serverBytesDone, received), estimate, stored, start, clock.instant());
    }

    /**
     * Stops the backup: the connection is closed (the server aborts its side) and the writer is
     * aborted, which unblocks the receiving thread; {@link #execute()} then deletes what was stored
     * and throws. Returns at once, whatever the store is doing: the writer's abort, which waits for
     * chunk puts in flight and deletes what they stored, runs on a thread of its own. Any thread;
     * idempotent.
     */
    public void cancel() {
        cancelled.set(true);
        ReplicationConnection c = connection;
        if (c != null) {
            c.abort();
        }
        BackupWriter w = writer;
        if (w != null) {
            Thread.ofVirtual().name("cellar-backup-cancel-" + request.cluster()).start(() -> {
                MDC.put("cluster", request.cluster()); // the writer logs what the abort deleted
                w.close();
            });
        }
    }

    /**
     * Takes the backup.
     *
     * @throws CellarException {@link ErrorCode#BACKUP_FAILED} (or the connection's and server's
     *     own codes) naming the cluster and the reason; nothing of the backup is left committed
     */
    public BackupOutcome execute() {
        String cluster = request.cluster();
        List<String> notes = new ArrayList<>();
        try {
            try {
                return take(request.parent(), notes);
            } catch (IncrementalRefused refused) {
                // The server's own checks (summaries missing or removed, the parent's WAL range past
                // a failover's fork point, a standby that replayed too little since the parent)
                // come only once BASE_BACKUP runs: fall back as for the checks made beforehand.
                String note = "took a full backup instead of an incremental one: the server refused it: "
                        + refused.getCause().getMessage();
                LOG.warn("cluster {}: {}", cluster, note);
                notes.add(note);
                return take(Optional.empty(), notes);
            }
        } catch (CellarException e) {
            phase = BackupProgress.Phase.FAILED;
            if (cancelled.get()) {
                throw new CellarException(ErrorCode.BACKUP_FAILED, "backup of cluster " + cluster + " was cancelled",
                        "nothing of it was kept", e);
            }
            throw e;
        } catch (RuntimeException e) {
            phase = BackupProgress.Phase.FAILED;
            throw new CellarException(ErrorCode.BACKUP_FAILED, "backup of cluster " + cluster + " failed: " + e,
                    "nothing of it was kept; the server log has the details", e);
        }
    }

    /** The server refused an incremental BASE_BACKUP before sending data, and a full one may replace it. */
    private static final class IncrementalRefused extends RuntimeException {
        IncrementalRefused(ServerErrorException cause) {
            super(cause);
        }
    }

    private BackupOutcome take(Optional<BackupInfo> requestedParent, List<String> notes) {
        String cluster = request.cluster();
        try (ReplicationConnection c = connect()) {
            connection = c;
            checkCancelled();
            ServerIdentity server = ServerIdentity.register(c, repository, cluster, createdAt);
            SystemIdentification identity = server.system();
            int version = server.serverVersionNum();
            boolean standby = c.parameterStatus("in_hot_standby").map("on"::equals).orElse(false);
            Optional<BackupInfo> parent = incrementalParent(requestedParent, c, identity, version, notes);

            List<SourceSqlSession.Database> databases;
            List<SourceSqlSession.Tablespace> tablespaces;
            try (SourceSqlSession sql = SourceSqlSession.open(settings(), c.endpoint())) {
                databases = sql.databases();
                tablespaces = sql.tablespaces();
            }
            if (parent.isPresent()) {
                try (InputStream manifest = repository.openBackupObject(parent.get().manifest())) {
                    ManifestUpload.upload(c, manifest);
                } catch (IOException e) {
                    throw new CellarException(ErrorCode.BACKUP_FAILED, "reading the manifest of backup "
                            + parent.get().id() + " failed: " + e.getMessage(), null, e);
                }
            }
            String backupId = freshId(parent.isPresent());
            checkCancelled();
            boolean committed = false;
            try (BackupWriter w = new BackupWriter(repository, cluster, backupId, request.codec(),
                    request.writer().withFileChecksum(request.options().manifestChecksums()))) {
                writer = w;
                if (cancelled.get()) {
                    w.close();
                }
                phase = BackupProgress.Phase.CHECKPOINT;
                Instant startTime = clock.instant();
                Receiver receiver = new Receiver(w);
                BaseBackupResult result;
                try {
                    result = BaseBackupExchange.run(c, request.options().withIncremental(parent.isPresent()), receiver);
                } catch (ServerErrorException e) {
                    if (parent.isPresent() && request.fallbackToFull() && !receiver.dataStarted && !cancelled.get()) {
                        throw new IncrementalRefused(e);
                    }
                    throw e;
                }
                result.warnings().forEach(warning -> notes.add("server warning: " + warning));
                phase = BackupProgress.Phase.FINISHING;
                byte[] manifestBytes = receiver.manifest.toByteArray();
                BackupManifest manifest = BackupManifest.parse(manifestBytes, "backup_manifest of backup " + backupId);
                StoredObject manifestObject = w.putManifest(new ByteArrayInputStream(manifestBytes));
                BackupContents contents = w.finish();
                List<String> differences = new ArrayList<>(
                        ManifestComparison.identityDifferences(manifest, identity.systemId(), result));
                differences.addAll(ManifestComparison.differences(contents.files(),
                        request.options().manifestChecksums(), manifest));
                if (!differences.isEmpty()) {
                    throw new CellarException(ErrorCode.BACKUP_FAILED, "backup " + backupId + " of cluster " + cluster
                            + " does not match PostgreSQL's backup_manifest: " + ManifestComparison.summary(differences),
                            "data was damaged between the server and the repository; the backup was discarded, take another");
                }
                BackupInfo draft = info(backupId, parent, identity, version, standby, result, startTime, databases,
                        tablespaces, manifestObject, contents, null);
                BackupLabel label = readLabel(draft);
                checkLabel(label, result, backupId);
                BackupInfo info = info(backupId, parent, identity, version,
                        label.backupFrom() == dev.cellar.core.backup.BackupSource.STANDBY, result, startTime, databases,
                        tablespaces, manifestObject, contents, label.checkpointLocation());
                checkCancelled();
                commit(info);
                committed = true;
                phase = BackupProgress.Phase.DONE;
                LOG.info("cluster {}: backup {} ({}) committed: {} to {} on timeline {}, {} bytes stored of {}", cluster,
                        backupId, info.kind(), info.startLsn(), info.endLsn(), info.endTimeline(), info.storedSize(),
                        info.logicalSize());
                return new BackupOutcome(info, notes);
            } finally {
                if (!committed) {
                    discard(backupId);
                }
            }
        }
    }

    /**
     * Writes {@code backup.json}. A store error after the document landed is no failure: the
     * backup is complete if its {@code backup.json} reads back.
     */
    private void commit(BackupInfo info) {
        try {
            repository.commitBackup(info);
        } catch (CellarException e) {
            boolean landed;
            try {
                landed = repository.backup(info.cluster(), info.id()).isPresent();
            } catch (CellarException unreadable) {
                landed = false;
            }
            if (!landed) {
                throw e;
            }
            LOG.warn("cluster {}: committing backup {} reported an error, but its backup.json is stored and reads back: {}",
                    info.cluster(), info.id(), e.getMessage());
        }
    }

    /**
     * Deletes what an uncommitted backup stored, also after {@link BackupWriter#finish()} (when the
     * writer no longer deletes): a failed check must not leave a full copy behind. What cannot be
     * deleted now stays incomplete, never restorable, and goes at the next start.
     */
    private void discard(String backupId) {
        try {
            repository.deleteBackup(request.cluster(), backupId);
        } catch (RuntimeException e) {
            LOG.warn("cluster {}: could not delete the objects of failed backup {} ({}); they are an incomplete backup,"
                    + " removed at the next start", request.cluster(), backupId, e.getMessage());
        }
    }

    private ReplicationConnectionSettings settings() {
        ReplicationConnectionSettings s = request.connection();
        return s.withTargetSessionAttrs(request.from().targetSessionAttrs())
                .withApplicationName(s.applicationName().orElse("cellar") + " backup");
    }

    private ReplicationConnection connect() {
        return ReplicationConnector.connect(settings());
    }

    /**
     * The parent to build on, or empty for a full backup: a note says why an incremental backup
     * that was asked for became a full one, or the run fails when the request forbids that.
     */
    private Optional<BackupInfo> incrementalParent(Optional<BackupInfo> requested, ReplicationConnection c,
            SystemIdentification identity, int version, List<String> notes) {
        if (requested.isEmpty()) {
            return Optional.empty();
        }
        BackupInfo parent = requested.get();
        String reason = null;
        if (version < PG17) {
            reason = "the server runs PostgreSQL " + version / 10000 + "; incremental backups need 17 or later";
        } else if (!"on".equals(c.show("summarize_wal"))) {
            reason = "summarize_wal is off on " + c.endpoint() + "; turn it on (ALTER SYSTEM SET summarize_wal = on;"
                    + " SELECT pg_reload_conf();) to allow incremental backups";
        } else if (parent.serverVersionNum() < PG17) {
            reason = "the parent backup " + parent.id() + " was taken from PostgreSQL " + parent.serverVersionNum() / 10000
                    + ", whose manifest cannot anchor an incremental backup";
        } else if (!parent.systemIdentifier().equals(identity.systemId())) {
            reason = "the parent backup " + parent.id() + " belongs to system " + parent.systemIdentifier()
                    + ", the server is system " + identity.systemId();
        }
        if (reason == null) {
            return Optional.of(parent);
        }
        if (!request.fallbackToFull()) {
            throw new CellarException(ErrorCode.BACKUP_FAILED, "incremental backup of cluster " + request.cluster()
                    + " is impossible: " + reason,
                    "set incremental_fallback: full to take a full backup instead, or fix the cause");
        }
        String note = "took a full backup instead of an incremental one: " + reason;
        LOG.warn("cluster {}: {}", request.cluster(), note);
        notes.add(note);
        return Optional.empty();
    }

    /** An id not used in the repository: the start second, with a counter in the rare case of a clash. */
    private String freshId(boolean incremental) {
        Instant now = clock.instant();
        for (int n = 1; ; n++) {
            String id = BackupIds.of(now, incremental, n);
            if (repository.store().list(RepositoryLayout.backupPrefix(request.cluster(), id), Optional.empty(), 1)
                    .objects().isEmpty() && reserveId.test(id)) {
                return id;
            }
        }
    }

    private BackupLabel readLabel(BackupInfo draft) {
        BackupFiles files = BackupFiles.open(repository, draft);
        var entry = files.find("base", BackupLabel.FILE_NAME).orElseThrow(() -> new CellarException(
                ErrorCode.BACKUP_FAILED, "backup " + draft.id() + " of cluster " + draft.cluster()
                        + " has no backup_label", "the server sent an archive without it; report this"));
        try (InputStream in = files.openFile(entry)) {
            return BackupLabel.parse(in.readAllBytes(), "backup_label of backup " + draft.id());
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, "reading backup_label of backup " + draft.id()
                    + " failed: " + e.getMessage(), null, e);
        }
    }

    private void checkLabel(BackupLabel label, BaseBackupResult result, String backupId) {
        if (!label.startWalLocation().equals(result.start().startLsn())
                || !label.startTimeline().equals(result.start().startTimeline())) {
            throw new CellarException(ErrorCode.BACKUP_FAILED, "backup " + backupId + ": backup_label starts at "
                    + label.startWalLocation() + " on timeline " + label.startTimeline() + ", the server reported "
                    + result.start().startLsn() + " on timeline " + result.start().startTimeline(),
                    "the archive does not belong to this backup; report this");
        }
    }

    private BackupInfo info(String backupId, Optional<BackupInfo> parent, SystemIdentification identity, int version,
            boolean standby, BaseBackupResult result, Instant startTime, List<SourceSqlSession.Database> databases,
            List<SourceSqlSession.Tablespace> tablespaces, StoredObject manifest, BackupContents contents,
            Lsn checkpoint) {
        Map<Long, SourceSqlSession.Tablespace> byOid = tablespaces.stream()
                .collect(Collectors.toMap(SourceSqlSession.Tablespace::oid, Function.identity()));
        List<BackupInfo.Tablespace> sent = result.start().tablespaces().stream()
                .filter(t -> !t.isMainDirectory())
                .map(t -> {
                    long oid = t.oid().getAsLong();
                    SourceSqlSession.Tablespace known = byOid.get(oid);
                    return new BackupInfo.Tablespace(oid, known == null ? "" : known.name(), t.location());
                }).toList();
        return new BackupInfo(1, backupId, request.cluster(),
                parent.isPresent() ? BackupInfo.Kind.INCREMENTAL : BackupInfo.Kind.FULL,
                parent.map(BackupInfo::id).orElse(null), request.options().label(), identity.systemId(), version,
                standby ? BackupInfo.Source.STANDBY : BackupInfo.Source.PRIMARY,
                result.start().startTimeline(), result.start().startLsn(), checkpoint, result.endTimeline(),
                result.endLsn(), startTime, clock.instant(), sent,
                databases.stream().map(d -> new BackupInfo.Database(d.oid(), d.name())).toList(), manifest,
                contents.objects(), contents.logicalSize(), contents.storedSize());
    }

    private void checkCancelled() {
        if (cancelled.get()) {
            throw new CellarException(ErrorCode.BACKUP_FAILED, "backup of cluster " + request.cluster() + " was cancelled");
        }
    }

    /** Feeds the writer from the exchange, and keeps the manifest and progress. */
    private final class Receiver implements BaseBackupSink {
        private final BackupWriter writer;
        private final ByteArrayOutputStream manifest = new ByteArrayOutputStream();
        private ArchiveSink current;
        private byte[] copy = new byte[64 * 1024];
        private boolean dataStarted;

        Receiver(BackupWriter writer) {
            this.writer = writer;
        }

        @Override
        public void started(BaseBackupStart start) {
            estimate = start.estimatedBytes();
            dataStartedAt = clock.instant();
            phase = BackupProgress.Phase.STREAMING;
        }

        @Override
        public void archiveStarted(String name, String tablespacePath) {
            dataStarted = true;
            current = writer.openArchive(name);
        }

        @Override
        public void archiveData(ByteBuffer bytes) {
            current.write(bytes);
        }

        @Override
        public void archiveEnded() {
            current.close();
            current = null;
        }

        @Override
        public void manifestData(ByteBuffer bytes) {
            int n = bytes.remaining();
            if (copy.length < n) {
                copy = new byte[n];
            }
            bytes.get(copy, 0, n);
            manifest.write(copy, 0, n);
        }

        @Override
        public void progress(long bytesDone) {
            serverBytesDone = bytesDone;
        }
    }
}
