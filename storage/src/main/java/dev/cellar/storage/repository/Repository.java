package dev.cellar.storage.repository;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.storage.ObjectExistsException;
import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectNotFoundException;
import dev.cellar.storage.ObjectPage;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.OverwritePolicy;
import dev.cellar.storage.WriteOptions;
import dev.cellar.storage.codec.BlockEncoder;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.codec.StoredObjectWriter;
import dev.cellar.storage.codec.VerifyingReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repository: the self-describing store of every cluster's identity, timeline histories, WAL
 * and base backups (layout in {@link RepositoryLayout}). Everything needed to restore, and to
 * rebuild the catalog, can be read from here alone.
 *
 * <p>Objects are immutable once written: WAL and histories are named by their content checksum,
 * backups are committed by writing {@code backup.json} last. Nothing here overwrites an object.
 *
 * <p>Thread-safe as far as the underlying store is; all methods block on storage I/O.
 */
public final class Repository {
    private static final Logger log = LoggerFactory.getLogger(Repository.class);
    private static final int PAGE = 1000;

    private final ObjectStore store;
    private final StoredObjectWriter writer;
    private final VerifyingReader reader;

    public Repository(ObjectStore store) {
        this.store = Objects.requireNonNull(store, "store");
        this.writer = new StoredObjectWriter(store);
        this.reader = new VerifyingReader(store);
    }

    public ObjectStore store() {
        return store;
    }

    // ---- clusters -------------------------------------------------------------------------------

    /** Names of the clusters with a directory in the repository, sorted. */
    public List<String> clusterNames() {
        return childNames(RepositoryLayout.CLUSTERS);
    }

    /** The cluster's identity, if it has been recorded. */
    public Optional<ClusterInfo> cluster(String name) {
        ObjectKey key = RepositoryLayout.clusterJson(name);
        return readDocument(key).map(bytes -> ChecksummedDocument.read(bytes, ClusterInfo.class, key.value()));
    }

    /**
     * Records a cluster's identity, or checks it against the one recorded. A different system
     * identifier means a different PostgreSQL cluster answers under this name: Cellar refuses
     * rather than mix its WAL into this repository.
     *
     * @return the identity as recorded (the earlier one when it existed)
     */
    public ClusterInfo registerCluster(ClusterInfo info) {
        Optional<ClusterInfo> existing = cluster(info.name());
        if (existing.isEmpty()) {
            try {
                store.put(RepositoryLayout.clusterJson(info.name()),
                        new ByteArrayInputStream(ChecksummedDocument.write(info)), WriteOptions.failIfExists());
                return info;
            } catch (ObjectExistsException raced) {
                existing = cluster(info.name());
            }
        }
        ClusterInfo recorded = existing.orElseThrow();
        if (!recorded.systemIdentifier().equals(info.systemIdentifier())) {
            throw new CellarException(ErrorCode.SYSTEM_IDENTIFIER_MISMATCH,
                    "cluster " + info.name() + ": the server has system identifier " + info.systemIdentifier()
                            + " but the repository holds cluster " + recorded.systemIdentifier(),
                    "The conninfo of cluster " + info.name() + " reaches another PostgreSQL cluster. Fix the "
                            + "conninfo, or give this cluster a new name (after pg_upgrade, a new name is required).");
        }
        if (recorded.walSegmentSize() != info.walSegmentSize()) {
            throw new CellarException(ErrorCode.SYSTEM_IDENTIFIER_MISMATCH,
                    "cluster " + info.name() + ": the server uses " + info.segmentSize() + " WAL segments but the "
                            + "repository recorded " + recorded.segmentSize());
        }
        return recorded;
    }

    // ---- timelines ------------------------------------------------------------------------------

    /**
     * Stores a timeline history file. Storing the same content again is a no-op; a different
     * history for a timeline already stored is refused: two servers promoted to the same timeline
     * (split brain), whose WAL must not be mixed.
     */
    public StoredHistory putHistory(String cluster, TimelineHistory history) {
        byte[] bytes = history.format();
        String sha256 = sha256(bytes);
        for (StoredHistory stored : histories(cluster)) {
            if (stored.history().timeline().equals(history.timeline())) {
                if (stored.sha256().equals(sha256)) {
                    return stored;
                }
                throw new CellarException(ErrorCode.WAL_INVALID,
                        "cluster " + cluster + ": timeline " + history.timeline() + " history differs from the one "
                                + "stored as " + stored.key() + " (SHA-256 " + sha256 + " vs " + stored.sha256() + ")",
                        "Two servers were promoted to the same timeline (split brain). Keep the repository as it is"
                                + " and investigate which server is the real primary.");
            }
        }
        ObjectKey key = ObjectKey.of(RepositoryLayout.timelinesPrefix(cluster) + history.timeline().toHex() + "-"
                + sha256 + ".history");
        try {
            store.put(key, new ByteArrayInputStream(bytes), WriteOptions.failIfExists().withExpectedSize(bytes.length));
        } catch (ObjectExistsException raced) {
            // Same name means same content: another writer stored it first.
        }
        return new StoredHistory(cluster, history, key, sha256);
    }

    /** Every stored history of the cluster, verified against the checksum in its name, by timeline. */
    public List<StoredHistory> histories(String cluster) {
        List<StoredHistory> result = new ArrayList<>();
        for (ObjectInfo info : store.listAll(RepositoryLayout.timelinesPrefix(cluster)).toList()) {
            String name = info.key().name();
            if (!name.matches("[0-9A-F]{8}-[0-9a-f]{64}\\.history")) {
                throw new CellarException(ErrorCode.OBJECT_CORRUPT, "unexpected object " + info.key()
                        + " among the timeline histories", "Only Cellar should write into the repository.");
            }
            TimelineId timeline = TimelineId.fromHex(name.substring(0, 8));
            String recorded = name.substring(9, 73);
            byte[] bytes = readAll(info.key());
            String actual = sha256(bytes);
            if (!actual.equals(recorded)) {
                throw new CellarException(ErrorCode.OBJECT_CORRUPT, info.key() + " is damaged: its content has SHA-256 "
                        + actual + " but its name records " + recorded, "Restore it from the offsite copy.");
            }
            result.add(new StoredHistory(cluster, TimelineHistory.parse(timeline, bytes), info.key(), recorded));
        }
        return result;
    }

    // ---- WAL ------------------------------------------------------------------------------------

    /**
     * The outcome of storing a WAL segment.
     *
     * @param object the record of what was written; empty when the segment was already stored
     *               (the first copy is kept and not read again)
     */
    public record WalPut(StoredWal wal, Optional<StoredObject> object, boolean alreadyStored) {
    }

    /**
     * Stores a WAL segment (or the valid prefix of one, when {@code partial}) whose bytes the caller
     * has already checked and hashed. Delivering a segment that is already stored with the same
     * content is harmless and reported as {@code alreadyStored}; different content under the same
     * segment name is refused and nothing is written.
     *
     * @param content      the segment's bytes, read to the end (not closed)
     * @param logicalSize  how many bytes {@code content} yields
     * @param logicalSha256 their SHA-256, which names the object and is checked again while storing
     */
    public WalPut putWal(String cluster, WalSegmentName segment, boolean partial, InputStream content, long logicalSize,
                         String logicalSha256, Codec codec) {
        WalObjectName name = WalObjectName.of(segment, partial, logicalSha256, codec);
        Optional<StoredWal> existing = findWal(cluster, segment, partial);
        if (existing.isPresent()) {
            StoredWal stored = existing.get();
            if (stored.name().logicalSha256().equals(logicalSha256)) {
                // Routine: a reconnecting stream re-sends the newest segment to compare it.
                log.info("cluster {}: WAL segment {} is already stored with the same content; keeping {}",
                        cluster, segment, stored.key());
                return new WalPut(stored, Optional.empty(), true);
            }
            throw new CellarException(ErrorCode.WAL_INVALID,
                    "cluster " + cluster + ": WAL segment " + segment.fileName() + (partial ? " (partial)" : "")
                            + " arrived with SHA-256 " + logicalSha256 + " but " + stored.key()
                            + " holds different bytes",
                    "Two servers wrote different WAL under one timeline, or the repository is shared by two "
                            + "clusters. Nothing was overwritten; stop and investigate before streaming on.");
        }
        ObjectKey key = ObjectKey.of(RepositoryLayout.walPrefix(cluster, segment.timeline()) + name.fileName());
        StoredObject object = writer.write(key, codec, content, OverwritePolicy.FAIL_IF_EXISTS, logicalSize);
        if (!object.logicalSha256().equals(logicalSha256)) {
            store.delete(key);
            throw new CellarException(ErrorCode.WAL_INVALID,
                    "cluster " + cluster + ": WAL segment " + segment.fileName() + " changed while being stored "
                            + "(SHA-256 " + object.logicalSha256() + ", expected " + logicalSha256 + ")",
                    "The receiver's spool file was modified by another process.");
        }
        ObjectInfo written = store.head(key).orElseThrow(() -> new CellarException(ErrorCode.STORAGE_FAILED,
                "cluster " + cluster + ": " + key + " vanished right after it was stored in " + store.describe()));
        return new WalPut(new StoredWal(cluster, name, key, object.storedSize(), written.lastModified()), Optional.of(object), false);
    }

    /** The stored copy of one segment (complete or partial), if any. */
    public Optional<StoredWal> findWal(String cluster, WalSegmentName segment, boolean partial) {
        String prefix = RepositoryLayout.walPrefix(cluster, segment.timeline()) + segment.fileName()
                + (partial ? ".partial-" : "-");
        List<StoredWal> found = store.list(prefix, Optional.empty(), 2).objects().stream()
                .map(info -> toStoredWal(cluster, info, segment.size())).toList();
        if (found.size() > 1) {
            throw new CellarException(ErrorCode.OBJECT_CORRUPT, "cluster " + cluster + ": segment "
                    + segment.fileName() + " is stored twice with different content: " + found.get(0).key()
                    + " and " + found.get(1).key(), "Investigate before deleting either.");
        }
        return found.stream().findFirst();
    }

    /** Every stored WAL segment of the cluster, in timeline and segment order; read from names only. */
    public List<StoredWal> walSegments(String cluster) {
        ClusterInfo info = cluster(cluster).orElseThrow(() -> unknownCluster(cluster));
        return store.listAll(RepositoryLayout.walPrefix(cluster))
                .map(o -> toStoredWal(cluster, o, info.segmentSize())).toList();
    }

    /**
     * The newest stored segment of the cluster: on the highest timeline that has WAL, the highest
     * segment (a complete one winning over a partial of the same number). Lists the timelines
     * cheaply but every segment of the newest one; the server asks its catalog instead.
     */
    public Optional<StoredWal> latestWal(String cluster) {
        ClusterInfo info = cluster(cluster).orElseThrow(() -> unknownCluster(cluster));
        List<String> timelines = childNames(RepositoryLayout.walPrefix(cluster));
        for (int i = timelines.size() - 1; i >= 0; i--) {
            String prefix = RepositoryLayout.walPrefix(cluster) + timelines.get(i) + "/";
            Optional<StoredWal> newest = store.listAll(prefix).map(o -> toStoredWal(cluster, o, info.segmentSize()))
                    .max(java.util.Comparator.comparingLong((StoredWal w) -> w.segment().segmentNumber())
                            .thenComparing(w -> !w.partial()));
            if (newest.isPresent()) {
                return newest;
            }
        }
        return Optional.empty();
    }

    /**
     * The newest stored segment of one timeline whose start is before {@code before} (a timeline's
     * end on some history path), if any.
     */
    public Optional<StoredWal> latestWal(String cluster, TimelineId timeline, Optional<dev.cellar.core.Lsn> before) {
        ClusterInfo info = cluster(cluster).orElseThrow(() -> unknownCluster(cluster));
        return store.listAll(RepositoryLayout.walPrefix(cluster, timeline))
                .map(o -> toStoredWal(cluster, o, info.segmentSize()))
                .filter(w -> before.map(b -> w.segment().startLsn().isBefore(b)).orElse(true))
                .max(java.util.Comparator.comparingLong((StoredWal w) -> w.segment().segmentNumber())
                        .thenComparing(w -> !w.partial()));
    }

    /**
     * Opens a stored segment for reading its logical bytes. The stream fails at its end, with
     * {@code OBJECT_CORRUPT} naming the object and both checksums, when the bytes do not match the
     * checksum in the object's name: discard what was read then.
     */
    public InputStream openWal(StoredWal wal) {
        return new WalVerifyingStream(store, wal);
    }

    /**
     * Reads a whole stored segment, verifies it, and returns the full record of it (including the
     * stored bytes' checksum, which only reading can tell).
     */
    public StoredObject verifyWal(StoredWal wal) {
        try (WalVerifyingStream in = new WalVerifyingStream(store, wal)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return in.verified();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- gaps -----------------------------------------------------------------------------------

    /**
     * Records, durably in the repository itself, that WAL {@code [from, to)} of a timeline is lost
     * (the server no longer had it). The record outlives the catalog: a rebuilt catalog still
     * knows about the gap and why it happened. Recording the same range again keeps the first.
     */
    public WalGap recordGap(String cluster, WalGap gap) {
        if (!gap.cluster().equals(cluster)) {
            throw new IllegalArgumentException("gap of " + gap.cluster() + " recorded for " + cluster);
        }
        byte[] document = ChecksummedDocument.write(gap);
        try {
            store.put(RepositoryLayout.gapJson(cluster, gap), new ByteArrayInputStream(document),
                    WriteOptions.failIfExists().withExpectedSize(document.length));
            return gap;
        } catch (ObjectExistsException already) {
            ObjectKey key = RepositoryLayout.gapJson(cluster, gap);
            return ChecksummedDocument.read(readAll(key), WalGap.class, key.value());
        }
    }

    /** Every recorded gap of the cluster, by timeline and position. */
    public List<WalGap> gaps(String cluster) {
        return store.listAll(RepositoryLayout.gapsPrefix(cluster))
                .map(info -> ChecksummedDocument.read(readAll(info.key()), WalGap.class, info.key().value()))
                .toList();
    }

    // ---- backups --------------------------------------------------------------------------------

    /** Stores one object of a backup that is being written; never replaces an existing one. */
    public StoredObject putBackupObject(String cluster, String backupId, String relative, InputStream content, Codec codec) {
        return writer.write(RepositoryLayout.backupObject(cluster, backupId, relative), codec, content,
                OverwritePolicy.FAIL_IF_EXISTS);
    }

    /**
     * Stores one block of a backup held in memory (an archive chunk), encoded in one call by
     * {@code encoder} (see {@link StoredObjectWriter#writeBlock}); never replaces an existing one.
     * Thread-safe: the backup writer stores chunks from several threads, each with its own encoder.
     */
    public StoredObject putBackupBlock(String cluster, String backupId, String relative, BlockEncoder encoder,
                                       byte[] block, int offset, int length) {
        return writer.writeBlock(RepositoryLayout.backupObject(cluster, backupId, relative), encoder, block, offset,
                length, OverwritePolicy.FAIL_IF_EXISTS);
    }

    /**
     * Commits a backup: checks that every object it lists is stored with the recorded size, then
     * writes {@code backup.json}. From this moment on the backup is complete.
     */
    public void commitBackup(BackupInfo info) {
        List<StoredObject> objects = new ArrayList<>();
        objects.add(info.manifest());
        info.objects().forEach(o -> objects.add(o.object()));
        String prefix = RepositoryLayout.backupPrefix(info.cluster(), info.id());
        for (StoredObject object : objects) {
            if (!object.key().value().startsWith(prefix)) {
                throw new IllegalArgumentException("backup " + info.id() + " lists " + object.key() + " outside " + prefix);
            }
            ObjectInfo stored = store.head(object.key()).orElseThrow(() -> new CellarException(ErrorCode.BACKUP_FAILED,
                    "backup " + info.id() + " of cluster " + info.cluster() + ": object " + object.key()
                            + " is missing at commit"));
            if (stored.size() != object.storedSize()) {
                throw new CellarException(ErrorCode.BACKUP_FAILED, "backup " + info.id() + " of cluster "
                        + info.cluster() + ": object " + object.key() + " has " + stored.size() + " bytes, "
                        + object.storedSize() + " recorded");
            }
        }
        byte[] document = ChecksummedDocument.write(info);
        store.put(RepositoryLayout.backupJson(info.cluster(), info.id()), new ByteArrayInputStream(document),
                WriteOptions.failIfExists().withExpectedSize(document.length));
    }

    /** One backup's record, if it is complete. */
    public Optional<BackupInfo> backup(String cluster, String backupId) {
        ObjectKey key = RepositoryLayout.backupJson(cluster, backupId);
        return readDocument(key).map(bytes -> ChecksummedDocument.read(bytes, BackupInfo.class, key.value()));
    }

    /** Every backup directory of the cluster, sorted by id, complete or not. */
    public List<BackupListing> backups(String cluster) {
        List<BackupListing> result = new ArrayList<>();
        for (String id : childNames(RepositoryLayout.backupsPrefix(cluster))) {
            try {
                result.add(backup(cluster, id).<BackupListing>map(info -> new BackupListing.Complete(cluster, id, info))
                        .orElseGet(() -> new BackupListing.Incomplete(cluster, id)));
            } catch (CellarException e) {
                if (e.code() != ErrorCode.OBJECT_CORRUPT && e.code() != ErrorCode.INVALID_VALUE) {
                    throw e;
                }
                result.add(new BackupListing.Damaged(cluster, id, e.getMessage()));
            }
        }
        return result;
    }

    /**
     * Records (or replaces) a keep on a complete backup. Written atomically: a crash leaves the old
     * keep or the new one, never a torn file.
     *
     * @throws CellarException {@link ErrorCode#BACKUP_FAILED} if the backup is not complete
     */
    public void putKeep(BackupKeep keep) {
        if (backup(keep.cluster(), keep.backupId()).isEmpty()) {
            throw new CellarException(ErrorCode.BACKUP_FAILED, "backup " + keep.backupId() + " of cluster "
                    + keep.cluster() + " is not a complete backup in " + store.describe(), "list the cluster's backups");
        }
        byte[] document = ChecksummedDocument.write(keep);
        store.put(RepositoryLayout.backupKeep(keep.cluster(), keep.backupId()), new ByteArrayInputStream(document),
                WriteOptions.replace().withExpectedSize(document.length));
    }

    /** The keep recorded on a backup, if any. */
    public Optional<BackupKeep> keep(String cluster, String backupId) {
        ObjectKey key = RepositoryLayout.backupKeep(cluster, backupId);
        return readDocument(key).map(bytes -> ChecksummedDocument.read(bytes, BackupKeep.class, key.value()));
    }

    /** Removes the keep of a backup, if any: retention decides about it again. Idempotent. */
    public void releaseKeep(String cluster, String backupId) {
        store.delete(RepositoryLayout.backupKeep(cluster, backupId));
    }

    /** Opens one stored object of a backup, verified against its record (see {@link VerifyingReader}). */
    public InputStream openBackupObject(StoredObject object) {
        return reader.open(object);
    }

    /**
     * Deletes a backup: {@code backup.json} first, so that an interrupted deletion leaves an
     * incomplete backup (never restorable, removed by the next cleanup), then every other object.
     * Idempotent.
     */
    public void deleteBackup(String cluster, String backupId) {
        store.delete(RepositoryLayout.backupJson(cluster, backupId));
        List<ObjectKey> rest = store.listAll(RepositoryLayout.backupPrefix(cluster, backupId))
                .map(ObjectInfo::key).toList();
        store.deleteAll(rest);
    }

    /**
     * Deletes every backup of the cluster that has no {@code backup.json}: the leftovers of
     * backups interrupted by a crash or a kill. Call it only when no backup of the cluster can be
     * in progress (the server does at start, before it schedules any), since a backup being
     * written looks the same. Damaged backups are left for a person to look at.
     *
     * @return the ids removed, sorted
     */
    public List<String> deleteIncompleteBackups(String cluster) {
        List<String> removed = new ArrayList<>();
        for (BackupListing listing : backups(cluster)) {
            if (listing instanceof BackupListing.Incomplete incomplete) {
                deleteBackup(cluster, incomplete.id());
                removed.add(incomplete.id());
            }
        }
        return removed;
    }

    // ---- helpers --------------------------------------------------------------------------------

    /**
     * The distinct next path segment of every key under {@code prefix}, found by skipping from one
     * child to the next rather than listing every object below (a cluster has millions of WAL keys).
     */
    private List<String> childNames(String prefix) {
        List<String> names = new ArrayList<>();
        Optional<String> after = Optional.empty();
        while (true) {
            ObjectPage page = store.list(prefix, after, 1);
            if (page.objects().isEmpty()) {
                // Key order puts "a-x/..." before "a/...": sort the names themselves.
                names.sort(null);
                return names;
            }
            String rest = page.objects().getFirst().key().value().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                // An object directly under the prefix, not a child directory; skip just it.
                after = Optional.of(prefix + rest);
                continue;
            }
            String child = rest.substring(0, slash);
            names.add(child);
            // '0' sorts right after '/', so this skips every key of the child and nothing else.
            after = Optional.of(prefix + child + "0");
        }
    }

    private Optional<byte[]> readDocument(ObjectKey key) {
        try {
            return Optional.of(readAll(key));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        }
    }

    private byte[] readAll(ObjectKey key) {
        try (InputStream in = store.get(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot read " + key + " from " + store.describe()
                    + ": " + e.getMessage(), null, e);
        }
    }

    private static StoredWal toStoredWal(String cluster, ObjectInfo info, dev.cellar.core.WalSegmentSize size) {
        WalObjectName name = WalObjectName.parse(info.key().name(), size)
                .orElseThrow(() -> WalObjectName.notAWalObject(info.key().value()));
        String expectedDir = RepositoryLayout.walPrefix(cluster, name.timeline());
        if (!info.key().value().startsWith(expectedDir)) {
            throw WalObjectName.notAWalObject(info.key().value());
        }
        return new StoredWal(cluster, name, info.key(), info.size(), info.lastModified());
    }

    private static CellarException unknownCluster(String cluster) {
        return new CellarException(ErrorCode.OBJECT_CORRUPT, "cluster " + cluster + " has no cluster.json in the repository",
                "Was the cluster ever backed up into this repository? List clusters with backupctl list-clusters.");
    }

    static String sha256(byte[] bytes) {
        return dev.cellar.storage.io.Sha256.hex(bytes);
    }
}
