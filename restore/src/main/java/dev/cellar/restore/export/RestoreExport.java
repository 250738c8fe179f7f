package dev.cellar.restore.export;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.TimelineHistory;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestorePlanner;
import dev.cellar.storage.backup.BackupEntry;
import dev.cellar.storage.backup.BackupFiles;
import dev.cellar.storage.backup.Extraction;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredWal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes the data directory a {@link RestorePlan} describes (DESIGN.md §6, step 4): unpacks the
 * backup into an empty destination (tablespaces to their original or mapped locations), or for an
 * incremental backup combines its chain as pg_combinebackup does ({@link ChainCombiner}), stages
 * the WAL and history files recovery needs inside it, writes the recovery settings and
 * {@code recovery.signal}, and removes what belonged to the source cluster. The result starts with
 * a plain {@code pg_ctl start}, with no network and no Cellar. Nothing in the repository changes;
 * on failure everything written is removed again.
 */
public final class RestoreExport {
    /** Files in a base backup that belong to the source server's state, never to a restored one. */
    static final List<String> SOURCE_FILES = List.of("standby.signal", "recovery.signal", "postmaster.pid",
            "postmaster.opts", "recovery.conf", "recovery.done", "patroni.dynamic.json");
    private static final String DESTINATION = "the destination";
    private static final String DESTINATION_HINT = "restore into an empty or new directory";

    private final Repository repository;
    private final RestorePlan plan;
    private final ExportOptions options;
    private final Clock clock;
    private final AtomicLong dataBytes = new AtomicLong();
    private final AtomicLong walBytes = new AtomicLong();
    private final List<Destination> claimed = new ArrayList<>();
    private final AtomicLong written = new AtomicLong();
    private volatile ExportProgress.Phase phase = ExportProgress.Phase.UNPACKING;
    private volatile Instant startedAt;

    public RestoreExport(Repository repository, RestorePlan plan, ExportOptions options, Clock clock) {
        this.repository = repository;
        this.plan = plan;
        this.options = options;
        this.clock = clock;
    }

    /** Where the restore is; callable from any thread while {@link #run()} runs. */
    public ExportProgress progress() {
        Instant started = startedAt == null ? clock.instant() : startedAt;
        return new ExportProgress(phase, written.get(), plan.dataBytes() + plan.walBytes(), started, clock.instant());
    }

    /**
     * Checks, writing nothing, what {@link #run()} refuses before it writes: the chain as the
     * repository holds it, the databases asked for, the tablespace mapping, and that the
     * destination and every tablespace location are empty or absent. For callers that must answer
     * before the restore runs (the server's API); {@link #run()} checks it all again.
     *
     * @throws CellarException {@link ErrorCode#RESTORE_FAILED} naming the refusal, as {@link #run()} would
     */
    public void check() {
        BackupInfo info = chain().getLast();
        DatabaseSelection.of(options.databases(), info.id(), info.databases());
        Destination.check(options.destination(), DESTINATION, DESTINATION_HINT);
        tablespaceTargets(info).forEach((oid, location) ->
                Destination.check(location, tablespaceRole(info, oid), tablespaceHint(info, oid)));
    }

    /**
     * @throws CellarException {@link ErrorCode#RESTORE_FAILED} for a destination that is not empty,
     *     a tablespace mapping that names no tablespace, or a chain the repository does not confirm
     *     (nothing written then), or when writing fails; {@link ErrorCode#OBJECT_CORRUPT} for damaged
     *     backup or WAL objects, or a chain that cannot rebuild a file (found before anything is
     *     written). Whatever was written is removed before it is thrown.
     */
    public ExportResult run() {
        Instant started = clock.instant();
        startedAt = started;
        List<BackupInfo> chain = chain();
        BackupRow row = plan.backup();
        BackupInfo info = chain.getLast();
        DatabaseSelection selection = DatabaseSelection.of(options.databases(), info.id(), info.databases());
        BackupFiles files = chain.size() == 1 ? BackupFiles.open(repository, info) : null;
        Map<Long, Path> tablespaces = tablespaceTargets(info);
        Map<String, Path> roots = new LinkedHashMap<>();
        ChainCombiner combiner = null;
        if (chain.size() > 1) {
            roots.put("base", options.destination().toAbsolutePath().normalize());
            tablespaces.forEach((oid, location) -> roots.put(String.valueOf(oid), location));
            combiner = ChainCombiner.prepare(repository, chain, roots.keySet());
        }
        Destination data = Destination.claim(options.destination(), DESTINATION, DESTINATION_HINT);
        claimed.add(data);
        roots.replace("base", data.path());
        ExecutorService pool = Executors.newFixedThreadPool(options.jobs(), Thread.ofPlatform().name("restore-", 0)
                .daemon(true).factory());
        try {
            for (Map.Entry<Long, Path> tablespace : tablespaces.entrySet()) {
                claimed.add(Destination.claim(tablespace.getValue(), tablespaceRole(info, tablespace.getKey()),
                        tablespaceHint(info, tablespace.getKey())));
            }
            if (combiner == null) {
                Extraction how = Extraction.on(pool).zeroing(entry -> selection.zeroes(entry.manifestPath()))
                        .reporting(written::addAndGet).syncingFiles(options.sync());
                files.extractArchive("base", data.path(), how);
                for (Map.Entry<Long, Path> tablespace : tablespaces.entrySet()) {
                    files.extractArchive(String.valueOf(tablespace.getKey()), tablespace.getValue(), how);
                }
                dataBytes.set(files.entries().stream().filter(BackupEntry::isFile).mapToLong(BackupEntry::size).sum());
            } else {
                phase = ExportProgress.Phase.COMBINING; // unpacks the chain's archives, then rebuilds files
                dataBytes.set(combiner.combineInto(roots, pool, written::addAndGet)); // writes its own backup_manifest
                if (selection.isSelective()) {
                    zeroExcluded(roots, selection);
                }
            }
            List<String> removed = new ArrayList<>(removeSourceFiles(data.path()));
            if (selection.isSelective()) {
                removed.add("databases restored empty (relation files sparse and zeroed), drop them once the server"
                        + " is promoted: " + String.join(", ", selection.excludedNames()));
            }
            if (!tablespaces.isEmpty()) {
                write(data.path().resolve("tablespace_map"), TablespaceMap.format(tablespaces));
            }
            if (combiner == null) {
                writeManifest(info, data.path());
            }
            int walFiles = 0;
            String restoreCommand = options.remoteWal().orElseGet(RecoverySettings::stagedRestoreCommand);
            if (options.remoteWal().isEmpty()) {
                phase = ExportProgress.Phase.STAGING_WAL;
                walFiles = stageWal(data.path().resolve(RecoverySettings.STAGED_WAL_DIRECTORY), pool);
            }
            Map<String, String> settings = RecoverySettings.of(plan, restoreCommand);
            Path autoConf = data.path().resolve("postgresql.auto.conf");
            String original = Files.exists(autoConf) ? Files.readString(autoConf, StandardCharsets.UTF_8) : "";
            AutoConfFile.Rewritten rewritten = AutoConfFile.rewrite(original, settings,
                    "Recovery settings written by Cellar: cluster %s, backup %s, to %s, at %s".formatted(
                            plan.cluster(), row.id(), RestorePlanner.describeTarget(plan.target().target()),
                            clock.instant()));
            write(autoConf, rewritten.content());
            if (!rewritten.removed().isEmpty()) {
                removed.add("settings of the source cluster in postgresql.auto.conf: "
                        + String.join(", ", rewritten.removed()));
            }
            removed.add("overridden for the new cluster: primary_conninfo, primary_slot_name and"
                    + " synchronous_standby_names emptied, archive_mode off (turn archiving on once it is promoted"
                    + " and has its own archive)");
            write(data.path().resolve("recovery.signal"), "");
            if (options.sync()) {
                phase = ExportProgress.Phase.SYNCING;
                FileSync.tree(data.path());
                for (Path location : tablespaces.values()) {
                    FileSync.tree(location);
                }
            }
            phase = ExportProgress.Phase.DONE;
            return new ExportResult(data.path(), tablespaces, dataBytes.get(), walFiles, walBytes.get(), settings,
                    removed, Duration.between(started, clock.instant()));
        } catch (RuntimeException | IOException e) {
            stopAndAwait(pool); // nothing may still be writing while what was written is removed
            List<String> problems = new ArrayList<>();
            for (Destination destination : claimed.reversed()) {
                problems.addAll(destination.discard());
            }
            CellarException failure = e instanceof CellarException c ? c
                    : new CellarException(ErrorCode.RESTORE_FAILED, "cluster %s: restore into %s failed: %s"
                            .formatted(plan.cluster(), options.destination(), e), null, e);
            if (!problems.isEmpty()) {
                failure.addSuppressed(new IOException("could not remove everything written: " + problems));
            }
            throw failure;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Stops the pool's tasks (interrupting a write closes its channel, so they end quickly) and waits
     * for them, also when this thread is interrupted, for five minutes at most.
     */
    private static void stopAndAwait(ExecutorService pool) {
        pool.shutdownNow();
        boolean interrupted = false;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                if (pool.awaitTermination(deadline - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The plan's chain as the repository holds it, checked against the catalog's. */
    private List<BackupInfo> chain() {
        List<BackupInfo> chain = plan.chain().stream().map(this::backupInfo).toList();
        checkChain(chain);
        return chain;
    }

    private static String tablespaceName(BackupInfo info, long oid) {
        return info.tablespaces().stream().filter(t -> t.oid() == oid).map(BackupInfo.Tablespace::name).findFirst()
                .orElse(String.valueOf(oid));
    }

    private static String tablespaceRole(BackupInfo info, long oid) {
        return "the location of tablespace \"" + tablespaceName(info, oid) + "\"";
    }

    private static String tablespaceHint(BackupInfo info, long oid) {
        return "map it elsewhere with --tablespace-map " + tablespaceName(info, oid) + "=/new/path";
    }

    private BackupInfo backupInfo(BackupRow row) {
        return repository.backup(plan.cluster(), row.id()).orElseThrow(() -> new CellarException(
                ErrorCode.RESTORE_FAILED, "backup %s of cluster %s is catalogued but not in the repository"
                        .formatted(row.id(), plan.cluster()), "rebuild the catalog from the repository"));
    }

    /** The chain starts with a full backup, each later backup builds on the one before it, all of one server. */
    private void checkChain(List<BackupInfo> chain) {
        for (int i = 0; i < chain.size(); i++) {
            BackupInfo info = chain.get(i);
            String expected = i == 0 ? null : chain.get(i - 1).id();
            if (!Objects.equals(info.parent(), expected)) {
                throw new CellarException(ErrorCode.RESTORE_FAILED, ("cluster %s: the chain of backup %s is"
                        + " inconsistent: in the repository, backup %s %s, but the catalog chains it %s")
                        .formatted(plan.cluster(), plan.backup().id(), info.id(),
                                info.parent() == null ? "is full" : "builds on " + info.parent(),
                                expected == null ? "first" : "after " + expected),
                        "rebuild the catalog from the repository and plan again");
            }
            if (!Objects.equals(info.systemIdentifier(), chain.getFirst().systemIdentifier())) {
                throw new CellarException(ErrorCode.RESTORE_FAILED, ("cluster %s: backup %s is of the server with"
                        + " system identifier %s, but the full backup %s of its chain is of %s").formatted(
                                plan.cluster(), info.id(), info.systemIdentifier(), chain.getFirst().id(),
                                chain.getFirst().systemIdentifier()),
                        "the repository is inconsistent; restore another backup chain");
            }
        }
    }

    /** Where each tablespace of the backup goes: its mapping (by OID or name) or its original location. */
    private Map<Long, Path> tablespaceTargets(BackupInfo info) {
        Map<String, Path> unused = new LinkedHashMap<>(options.tablespaceMap());
        Map<Long, Path> targets = new LinkedHashMap<>();
        for (BackupInfo.Tablespace tablespace : info.tablespaces()) {
            Path byOid = unused.remove(String.valueOf(tablespace.oid()));
            Path byName = unused.remove(tablespace.name());
            Path target = byOid != null ? byOid : byName != null ? byName : Path.of(tablespace.location());
            targets.put(tablespace.oid(), target.toAbsolutePath().normalize());
        }
        if (!unused.isEmpty()) {
            throw new CellarException(ErrorCode.RESTORE_FAILED, "backup %s has no tablespace %s".formatted(
                    info.id(), String.join(", ", unused.keySet())),
                    "its tablespaces: " + (info.tablespaces().isEmpty() ? "none" : info.tablespaces().stream()
                            .map(t -> t.name() + " (OID " + t.oid() + ", " + t.location() + ")")
                            .reduce((a, b) -> a + ", " + b).orElse("")));
        }
        return targets;
    }

    /**
     * After combining a chain, the excluded databases' relation files become sparse zero files of
     * their size (the full path never unpacks them in the first place).
     */
    private static void zeroExcluded(Map<String, Path> roots, DatabaseSelection selection) throws IOException {
        for (Map.Entry<String, Path> root : roots.entrySet()) {
            String prefix = root.getKey().equals("base") ? "" : "pg_tblspc/" + root.getKey() + "/";
            List<Path> files;
            try (java.util.stream.Stream<Path> walk = Files.walk(root.getValue())) {
                files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList();
            }
            for (Path file : files) {
                String manifestPath = prefix + root.getValue().relativize(file).toString();
                if (selection.zeroes(manifestPath)) {
                    long size = Files.size(file);
                    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                            StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                        if (size > 0) {
                            channel.write(java.nio.ByteBuffer.allocate(1), size - 1);
                        }
                    }
                }
            }
        }
    }

    private static List<String> removeSourceFiles(Path data) throws IOException {
        List<String> removed = new ArrayList<>();
        for (String name : SOURCE_FILES) {
            if (Files.deleteIfExists(data.resolve(name))) {
                removed.add(name);
            }
        }
        return removed;
    }

    /** The backup's own manifest, as pg_basebackup leaves it, so pg_verifybackup can check the directory. */
    private void writeManifest(BackupInfo info, Path data) throws IOException {
        try (InputStream in = repository.openBackupObject(info.manifest());
             OutputStream out = Files.newOutputStream(data.resolve("backup_manifest"), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE)) {
            in.transferTo(out);
        }
    }

    /** Stages the plan's WAL and history files; returns how many. */
    private int stageWal(Path directory, ExecutorService pool) throws IOException {
        Files.createDirectory(directory);
        for (TimelineHistory history : plan.histories()) {
            byte[] content = history.format();
            write(directory.resolve(history.fileName()), new String(content, StandardCharsets.US_ASCII));
            walBytes.addAndGet(content.length);
        }
        List<java.util.concurrent.Callable<Void>> tasks = new ArrayList<>();
        for (WalSegmentRow row : plan.wal()) {
            tasks.add(() -> {
                stageSegment(directory, row);
                return null;
            });
        }
        // Waits for running tasks after a failure, so cleanup never races with a writer.
        ParallelWork.run(pool, tasks, "staging WAL");
        return plan.histories().size() + plan.wal().size();
    }

    /**
     * One segment, under its plain name even when it is the {@code .partial} file of the newest
     * timeline's last segment: Cellar pads partial files to the segment size with zeros, which
     * recovery reads as the end of WAL, as with a renamed pg_receivewal {@code .partial}.
     */
    private void stageSegment(Path directory, WalSegmentRow row) {
        StoredWal stored = repository.findWal(plan.cluster(), row.segment(), row.partial())
                .orElseThrow(() -> new CellarException(ErrorCode.RESTORE_FAILED, "WAL file %s of cluster %s is"
                        .formatted(row.fileName(), plan.cluster()) + " catalogued but not in the repository",
                        "rebuild the catalog from the repository and plan again"));
        Path target = directory.resolve(row.segment().fileName());
        Path temp = directory.resolve(row.segment().fileName() + ".tmp");
        try (InputStream in = repository.openWal(stored);
             OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long copied = in.transferTo(out);
            walBytes.addAndGet(copied);
            written.addAndGet(copied);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.RESTORE_FAILED, "cannot stage WAL file %s: %s".formatted(
                    row.fileName(), e), "check the destination's free space", e);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.RESTORE_FAILED, "cannot stage WAL file %s: %s".formatted(
                    row.fileName(), e), null, e);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".cellar-tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + " is not a regular file after writing it");
        }
    }
}
