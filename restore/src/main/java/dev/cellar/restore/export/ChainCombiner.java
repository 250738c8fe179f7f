package dev.cellar.restore.export;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.BackupLabel;
import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestFile;
import dev.cellar.restore.combine.BaseFile;
import dev.cellar.restore.combine.BlockReconstruction;
import dev.cellar.restore.combine.IncrementalLayer;
import dev.cellar.restore.combine.ReconstructedFile;
import dev.cellar.restore.files.FileTrees;
import dev.cellar.storage.backup.BackupEntry;
import dev.cellar.storage.backup.BackupFiles;
import dev.cellar.storage.backup.Extraction;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.Repository;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the data directory combined from a chain of PostgreSQL 17+ incremental backups, as
 * pg_combinebackup would, into claimed, empty directories (the data directory and the newest
 * backup's tablespace locations). {@link ChainLayout} decides where each file comes from; this
 * class moves the bytes:
 * <ol>
 *   <li>the full backup's archives are unpacked to their final places, and then every incremental
 *       backup's archives to a staging directory ({@value #STAGING}) inside the same root (so that
 *       files move into place by renaming). Archives are unpacked concurrently, each with its chunks
 *       in parallel on the pool: each chunk is read from the repository once (files superseded by a
 *       newer whole copy or dropped are unpacked too, then replaced or removed; see
 *       {@link ChainLayout#wanted} for the files actually needed);</li>
 *   <li>what the full backup has and the newest does not is removed; the newest backup's whole files
 *       are renamed into place over the full backup's copies;</li>
 *   <li>every relation segment the newest backup holds incrementally is rebuilt on the pool from its
 *       base (in place when it is the full backup's copy, else staged) and its staged layers, into a
 *       temporary name next to it, then renamed over it;</li>
 *   <li>the staging directories are removed; {@code backup_label} loses its {@code INCREMENTAL}
 *       lines; modes and modification times are set as the newest index records them (rebuilt
 *       files take those of their {@code INCREMENTAL.} file), directories last and deepest first;
 *       {@code backup_manifest} is written (see {@link CombinedManifest}).</li>
 * </ol>
 * Disk: the full backup plus the incremental backups, at most, until the staging is removed.
 * Memory: the chain's file indexes and the newest manifest, plus per running task one chunk buffer
 * or one reconstruction buffer (1 MiB) and a read buffer per layer. Nothing is fsynced here (the
 * caller syncs the trees). Not thread-safe; one use.
 */
final class ChainCombiner {
    /** The staging directory inside the data directory and each tablespace location. */
    static final String STAGING = ".cellar-combine";
    private static final String REBUILD_SUFFIX = ".cellar-rebuild";
    private static final int LAYER_BUFFER = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(ChainCombiner.class);

    private final List<BackupInfo> chain;
    private final List<BackupFiles> files;
    private final BackupManifest manifest;
    private final ChainLayout layout;
    private final Map<String, ChecksumAlgorithm> algorithms;
    private Map<String, Path> roots;
    private java.util.function.LongConsumer written = bytes -> { };

    private ChainCombiner(List<BackupInfo> chain, List<BackupFiles> files, BackupManifest manifest,
                          ChainLayout layout, Map<String, ChecksumAlgorithm> algorithms) {
        this.chain = chain;
        this.files = files;
        this.manifest = manifest;
        this.layout = layout;
        this.algorithms = algorithms;
    }

    /**
     * Loads the chain's file indexes and the newest backup's manifest and plans the combination;
     * writes nothing.
     *
     * @param chain    the full backup first, the newest last; at least two
     * @param archives the newest backup's archives to restore: {@code base} and its tablespaces' OIDs
     * @throws CellarException {@link ErrorCode#OBJECT_CORRUPT} when an index or the manifest is
     *     damaged, or the chain cannot rebuild a file; {@link ErrorCode#RESTORE_FAILED} when the
     *     newest backup lacks one of {@code archives}
     */
    static ChainCombiner prepare(Repository repository, List<BackupInfo> chain, Set<String> archives) {
        List<BackupFiles> files = new ArrayList<>(chain.size());
        List<ChainLayout.Member> members = new ArrayList<>(chain.size());
        for (BackupInfo info : chain) {
            BackupFiles opened = BackupFiles.open(repository, info);
            files.add(opened);
            members.add(new ChainLayout.Member(info.id(), opened.entries()));
        }
        BackupInfo newest = chain.getLast();
        for (String archive : archives) {
            if (!files.getLast().archives().contains(archive)) {
                throw new CellarException(ErrorCode.RESTORE_FAILED, "backup %s of cluster %s has no archive %s"
                        .formatted(newest.id(), newest.cluster(), archive),
                        "backup.json lists a tablespace the backup did not receive; restore another backup");
            }
        }
        BackupManifest manifest = readManifest(repository, newest);
        ChainLayout layout = ChainLayout.plan(members, archives);
        Map<String, ChecksumAlgorithm> algorithms = new HashMap<>();
        for (ChainLayout.Rebuild rebuild : layout.rebuilds()) {
            String path = rebuild.incremental().manifestPath();
            ManifestFile listed = manifest.file(path).orElseThrow(() -> new CellarException(ErrorCode.OBJECT_CORRUPT,
                    "backup %s: its file index holds %s, which its manifest does not list".formatted(newest.id(), path),
                    "the backup's manifest and file index disagree; restore from another backup chain"));
            algorithms.put(path, listed.algorithm());
        }
        return new ChainCombiner(chain, files, manifest, layout, algorithms);
    }

    /**
     * Writes the combined data directory.
     *
     * @param roots where each archive goes ({@code base}: the data directory); each claimed and empty
     * @param pool  runs chunk extraction and reconstructions; not shut down here
     * @return the bytes of the files written
     * @throws CellarException as the steps fail; the roots then hold a partial result to discard
     */
    long combineInto(Map<String, Path> roots, ExecutorService pool, java.util.function.LongConsumer written) {
        this.written = written;
        this.roots = Map.copyOf(roots);
        long started = System.nanoTime();
        unpack(List.of(0), pool);
        long unpacked = System.nanoTime();
        List<Integer> incrementals = new ArrayList<>();
        for (int k = 1; k < chain.size(); k++) {
            incrementals.add(k);
        }
        unpack(incrementals, pool);
        long staged = System.nanoTime();
        try {
            removeObsolete();
            for (BackupEntry directory : layout.directories()) {
                Files.createDirectories(place(directory.archive(), directory.path()),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            for (BackupEntry link : layout.links()) {
                Path path = place(link.archive(), link.path());
                Files.deleteIfExists(path);
                Files.createSymbolicLink(path, Path.of(link.target()));
            }
            int newest = chain.size() - 1;
            for (BackupEntry copy : layout.copies()) {
                moveIntoPlace(location(newest, copy.archive(), copy.path()), place(copy.archive(), copy.path()));
            }
            List<Callable<CombinedManifest.Rebuilt>> tasks = new ArrayList<>();
            for (ChainLayout.Rebuild rebuild : layout.rebuilds()) {
                tasks.add(() -> rebuild(rebuild));
            }
            List<CombinedManifest.Rebuilt> rebuilt = ParallelWork.run(pool, tasks, "rebuilding relation files");
            long rebuiltAt = System.nanoTime();
            Map<String, CombinedManifest.Rebuilt> byIncrementalPath = new LinkedHashMap<>();
            for (int i = 0; i < rebuilt.size(); i++) {
                byIncrementalPath.put(layout.rebuilds().get(i).incremental().manifestPath(), rebuilt.get(i));
            }
            for (Path root : this.roots.values()) {
                try {
                    FileTrees.deleteRecursively(root.resolve(STAGING));
                } catch (java.io.UncheckedIOException e) {
                    throw e.getCause();
                }
            }
            byte[] label = rewriteLabel();
            applyMetadata();
            BackupManifest combined = CombinedManifest.of(manifest, chain.getLast().id(), byIncrementalPath, label);
            Path manifestFile = place("base", BackupManifest.FILE_NAME);
            Files.write(manifestFile, combined.write(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(manifestFile, PosixFilePermissions.fromString("rw-------"));
            log.info("combined {} backups ending with {}: {} files taken whole, {} relation files rebuilt;"
                    + " full backup unpacked in {}, incrementals in {}, rebuilt in {}", chain.size(),
                    chain.getLast().id(), layout.copies().size(), rebuilt.size(), elapsed(started, unpacked),
                    elapsed(unpacked, staged), elapsed(staged, rebuiltAt));
            return combined.files().stream().mapToLong(ManifestFile::size).sum();
        } catch (IOException e) {
            throw new CellarException(ErrorCode.RESTORE_FAILED, "cannot combine backup %s with its chain: %s"
                    .formatted(chain.getLast().id(), e), "check the destination's free space and permissions", e);
        }
    }

    /** Unpacks the kept archives of the given backups of the chain, all at once, each in parallel chunks. */
    private void unpack(List<Integer> backups, ExecutorService pool) {
        List<Callable<Void>> extractions = new ArrayList<>();
        for (int k : backups) {
            BackupFiles backup = files.get(k);
            for (String archive : backup.archives()) {
                if (roots.containsKey(archive)) {
                    Path target = k == 0 ? roots.get(archive) : staging(k, archive);
                    extractions.add(() -> {
                        backup.extractArchive(archive, target, Extraction.on(pool).reporting(written));
                        return null;
                    });
                }
            }
        }
        // The extractions wait for their chunks on the pool, so they run on threads of their own.
        try (ExecutorService coordinators = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("restore-archive-", 0).factory())) {
            ParallelWork.run(coordinators, extractions, "unpacking archives");
        }
    }

    /** Removes what the full backup has and the output does not, deepest first. */
    private void removeObsolete() throws IOException {
        List<BackupEntry> obsolete = new ArrayList<>(layout.obsolete());
        obsolete.sort(Comparator.comparingLong((BackupEntry e) -> depth(e.path())).reversed());
        for (BackupEntry entry : obsolete) {
            Files.deleteIfExists(place(entry.archive(), entry.path()));
        }
    }

    private CombinedManifest.Rebuilt rebuild(ChainLayout.Rebuild rebuild) throws IOException {
        String archive = rebuild.archive();
        Path target = place(archive, rebuild.path());
        Path basePath = location(rebuild.base(), archive, rebuild.path());
        BaseFile base = new BaseFile(chain.get(rebuild.base()).id(), basePath,
                files.get(rebuild.base()).checksumAlgorithm(), rebuild.baseEntry().checksum());
        ChecksumAlgorithm algorithm = algorithms.get(rebuild.incremental().manifestPath());
        List<InputStream> streams = new ArrayList<>();
        try {
            List<IncrementalLayer> layers = new ArrayList<>();
            for (ChainLayout.Layer layer : rebuild.layers()) {
                InputStream in = new BufferedInputStream(Files.newInputStream(
                        location(layer.backup(), archive, layer.entry().path()), LinkOption.NOFOLLOW_LINKS),
                        LAYER_BUFFER);
                streams.add(in);
                layers.add(IncrementalLayer.read(chain.get(layer.backup()).id(), layer.entry().manifestPath(), in,
                        layer.entry().size()));
            }
            Path temp = target.resolveSibling(target.getFileName() + REBUILD_SUFFIX);
            ReconstructedFile result = BlockReconstruction.reconstruct(rebuild.manifestPath(), base, layers, temp,
                    algorithm);
            if (!result.baseUnchanged()) {
                moveIntoPlace(temp, target);
            } else if (rebuild.base() != 0) {
                moveIntoPlace(basePath, target);
            }
            return new CombinedManifest.Rebuilt(rebuild.manifestPath(), result.size(), algorithm,
                    result.checksumHex());
        } finally {
            for (InputStream in : streams) {
                in.close();
            }
        }
    }

    /** The newest backup's label without its INCREMENTAL lines, written in place of the staged one. */
    private byte[] rewriteLabel() throws IOException {
        Path path = place("base", BackupLabel.FILE_NAME);
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new CellarException(ErrorCode.OBJECT_CORRUPT, "backup %s has no backup_label"
                    .formatted(chain.getLast().id()), "the backup is damaged; restore from another backup chain");
        }
        BackupLabel label = BackupLabel.parse(Files.readAllBytes(path), "backup_label of backup "
                + chain.getLast().id());
        byte[] content = label.withoutIncrementalLines().content();
        Path temp = path.resolveSibling(BackupLabel.FILE_NAME + REBUILD_SUFFIX);
        Files.write(temp, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        moveIntoPlace(temp, path);
        return content;
    }

    /** Modes and times as the newest index records them: files and links, then directories deepest first. */
    private void applyMetadata() throws IOException {
        for (BackupEntry copy : layout.copies()) {
            apply(place(copy.archive(), copy.path()), copy, true);
        }
        for (ChainLayout.Rebuild rebuild : layout.rebuilds()) {
            apply(place(rebuild.archive(), rebuild.path()), rebuild.incremental(), true);
        }
        for (BackupEntry link : layout.links()) {
            apply(place(link.archive(), link.path()), link, false);
        }
        List<BackupEntry> directories = new ArrayList<>(layout.directories());
        directories.sort(Comparator.comparingLong((BackupEntry e) -> depth(e.path())).reversed());
        for (BackupEntry directory : directories) {
            apply(place(directory.archive(), directory.path()), directory, true);
        }
    }

    private static void apply(Path path, BackupEntry entry, boolean mode) throws IOException {
        if (mode) {
            Files.setPosixFilePermissions(path, permissions(entry.mode()));
        }
        Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(FileTime.from(entry.mtime(), TimeUnit.SECONDS), null, null);
    }

    /** The permission bits of a tar mode ({@code mode & 0777}). */
    static Set<PosixFilePermission> permissions(int mode) {
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < bits.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                result.add(bits[bit]);
            }
        }
        return result;
    }

    /** Where the output entry goes. */
    private Path place(String archive, String path) {
        return resolve(roots.get(archive), path);
    }

    /** Where backup {@code k}'s copy of an entry is once unpacked: in place for the full backup, else staged. */
    private Path location(int k, String archive, String path) {
        return k == 0 ? place(archive, path) : resolve(staging(k, archive), path);
    }

    private Path staging(int k, String archive) {
        return roots.get(archive).resolve(STAGING).resolve(String.valueOf(k));
    }

    private static Path resolve(Path root, String relative) {
        Path path = root.resolve(relative).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new CellarException(ErrorCode.OBJECT_CORRUPT, "the path \"%s\" leads outside %s"
                    .formatted(relative, root), "the backup's file index is damaged; restore from another backup");
        }
        return path;
    }

    private static void moveIntoPlace(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static long depth(String path) {
        return path.chars().filter(c -> c == '/').count();
    }

    private static BackupManifest readManifest(Repository repository, BackupInfo info) {
        String source = "backup_manifest of backup " + info.id() + " of cluster " + info.cluster();
        try (InputStream in = repository.openBackupObject(info.manifest())) {
            return BackupManifest.parse(in.readAllBytes(), source);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot read the " + source + ": " + e.getMessage(),
                    "check that the repository is reachable and readable, then retry", e);
        }
    }

    private static String elapsed(long from, long to) {
        return Duration.ofNanos(to - from).toMillis() + " ms";
    }
}
