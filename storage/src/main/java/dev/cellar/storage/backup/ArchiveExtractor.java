package dev.cellar.storage.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.Crc32cCombination;
import dev.cellar.core.backup.FileChecksum;
import dev.cellar.core.backup.ManifestChecksums;
import dev.cellar.storage.StorageErrors;
import dev.cellar.storage.codec.BlockDecoder;
import dev.cellar.storage.repository.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * Extracts one archive of a backup into a directory, in three steps that a parallel restore can
 * reuse: {@link #createStructure} (directories, empty files, links), {@link #extractChunk} for
 * each chunk (independent of the others, except that file digests are carried from one chunk to
 * the next when chunks come in order), {@link #applyMetadata}. Paths were checked by
 * {@link ArchiveEntryPolicy} when the index was loaded; they are resolved under the target again
 * here, and files are opened without following links. Not thread-safe.
 */
final class ArchiveExtractor {
    private static final int COPY_BUFFER = 256 * 1024;
    /**
     * How much of a file may be written before its write-back is started: 8 MiB restored the bench's
     * 2.8 GB about 7 % faster than no early write-back (7 of 7 paired runs), 32 and 128 MiB no better
     * than none (bench/README.md, "Restore").
     */
    private static final long WRITE_BEHIND_BYTES = 8L * 1024 * 1024;
    private static final PosixFilePermission[] PERMISSIONS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    private final Repository repository;
    private final String context;
    private final String archive;
    private final List<BackupEntry> entries;
    private final List<ChunkContents> chunks;
    private Predicate<BackupEntry> zeroed = entry -> false;
    private LongConsumer written = bytes -> { };
    private boolean syncFiles;
    /** Bytes still to be written of each file being extracted in parallel: 0 means complete. */
    private final Map<BackupEntry, java.util.concurrent.atomic.AtomicLong> unwritten =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** CRC-32C of each piece of a file spread over chunks, by file and offset: combined once all are written. */
    private final Map<BackupEntry, Map<Long, Integer>> pieceCrcs = new java.util.concurrent.ConcurrentHashMap<>();
    private final ChecksumAlgorithm checksumAlgorithm;
    private final Map<BackupEntry, FileChecksum> checksums = new IdentityHashMap<>();
    /** Early write-back of the files being extracted in parallel, when they are fsynced; else null. */
    private WriteBehind writeBehind;
    /**
     * At most this many decoders, each holding a chunk's stored and decoded bytes (32 MiB with the
     * default 16 MiB chunks, 512 MiB at {@link BlockDecoder#MAX_BLOCK}): a restore with more jobs
     * streams the other chunks, so its memory does not grow with {@code --jobs}.
     */
    private static final int MAX_DECODERS = 4;
    private final java.util.concurrent.Semaphore decoderSlots = new java.util.concurrent.Semaphore(MAX_DECODERS);
    /** Decoders not in use; parallel extraction takes one per chunk, one per thread at a time. */
    private final java.util.concurrent.ConcurrentLinkedQueue<BlockDecoder> idleDecoders =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private Path root;

    ArchiveExtractor(Repository repository, String context, ChecksumAlgorithm checksumAlgorithm, String archive,
                     List<BackupEntry> entries, List<ChunkContents> chunks) {
        this.repository = repository;
        this.context = context;
        this.checksumAlgorithm = checksumAlgorithm;
        this.archive = archive;
        this.entries = entries;
        this.chunks = chunks;
    }

    void extractTo(Path target) {
        createStructure(target);
        byte[] copyBuffer = new byte[COPY_BUFFER];
        for (ChunkContents chunk : chunks) {
            extractChunk(chunk, copyBuffer, true);
        }
        for (BackupEntry entry : entries) {
            if (entry.isFile() && entry.size() == 0) {
                checkDigest(entry, ManifestChecksums.start(checksumAlgorithm));
            }
        }
        applyMetadata();
    }

    /** Creates the (empty or absent) target, every directory, every file (empty) and every link. */
    void createStructure(Path target) {
        try {
            Files.createDirectories(target);
            if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw failed(target, "it is not a directory", null);
            }
            try (var children = Files.list(target)) {
                if (children.findAny().isPresent()) {
                    throw failed(target, "the target directory is not empty", null);
                }
            }
            root = target.toRealPath();
        } catch (IOException e) {
            throw failed(target, StorageErrors.describe(e), e);
        }
        Set<String> directories = new HashSet<>();
        for (BackupEntry entry : entries) {
            Path path = resolve(entry.path());
            try {
                createParents(entry.path(), directories);
                switch (entry.type()) {
                    case DIRECTORY -> {
                        if (directories.add(entry.path())) {
                            Files.createDirectory(path);
                        }
                    }
                    case FILE -> {
                        Files.createFile(path);
                        if (zeroed.test(entry) && entry.size() > 0) {
                            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                                // One zero byte at the end: the file has its size, and no blocks before it.
                                channel.write(ByteBuffer.allocate(1), entry.size() - 1);
                            }
                            written.accept(entry.size());
                        }
                    }
                    case SYMLINK -> Files.createSymbolicLink(path, Path.of(entry.target()));
                }
            } catch (IOException e) {
                throw failed(path, StorageErrors.describe(e), e);
            }
        }
    }

    private void createParents(String path, Set<String> directories) throws IOException {
        int slash = path.indexOf('/');
        while (slash >= 0) {
            String parent = path.substring(0, slash);
            if (directories.add(parent)) {
                Files.createDirectory(resolve(parent));
            }
            slash = path.indexOf('/', slash + 1);
        }
    }

    /**
     * Like {@link #extractTo(Path)}, with the chunks extracted in parallel on {@code executor}. A
     * file held whole by one chunk is checked as its chunk is written; a file spread over several
     * chunks is read back once all are written and checked then (its checksum cannot be carried
     * from chunk to chunk when they are written out of order). The first failure cancels the
     * chunks not yet started and is thrown.
     */
    void extractTo(Path target, ExecutorService executor) {
        createStructure(target);
        writeBehind = syncFiles ? new WriteBehind(WRITE_BEHIND_BYTES) : null;
        List<Future<?>> tasks = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        for (ChunkContents chunk : chunks) {
            if (chunk.ranges().stream().allMatch(range -> zeroed.test(range.file()))) {
                continue; // nothing of it is wanted: not even read
            }
            tasks.add(executor.submit(() -> {
                if (failed.get()) {
                    return; // an earlier chunk failed: the extraction is over
                }
                try {
                    extractChunkInParallel(chunk);
                } catch (RuntimeException | Error e) {
                    failed.set(true);
                    throw e;
                }
            }));
        }
        try {
            awaitAll(tasks);
            if (writeBehind != null) {
                writeBehind.check();
            }
        } catch (IOException e) {
            throw failed(target, StorageErrors.describe(e), e);
        } finally {
            idleDecoders.forEach(BlockDecoder::close);
            idleDecoders.clear();
            if (writeBehind != null) {
                writeBehind.close();
            }
        }
        byte[] buffer = new byte[COPY_BUFFER];
        for (ChunkContents chunk : chunks) {
            for (ChunkContents.FileRange range : chunk.ranges()) {
                if (range.fileOffset() > 0 && range.endsFile() && !zeroed.test(range.file())) {
                    if (checksumAlgorithm == ChecksumAlgorithm.CRC32C) {
                        checkPieces(range.file());
                    } else {
                        checkWritten(range.file(), buffer);
                    }
                }
            }
        }
        for (BackupEntry entry : entries) {
            if (entry.isFile() && entry.size() == 0 && !zeroed.test(entry)) {
                checkDigest(entry, ManifestChecksums.start(checksumAlgorithm));
            }
        }
        applyMetadata();
    }

    /**
     * Files matching {@code predicate} are created as sparse files of their recorded size, all
     * zeros, and their content is neither read nor checked (a selective restore's excluded
     * databases). Parallel extraction only.
     */
    ArchiveExtractor zeroing(Predicate<BackupEntry> predicate) {
        this.zeroed = predicate;
        return this;
    }

    /** Told of the file bytes written as they are written (zeroed files count whole when created), from any thread. */
    ArchiveExtractor reporting(LongConsumer consumer) {
        this.written = consumer;
        return this;
    }

    /** fsync each file, in parallel extraction, as soon as its last byte is written. */
    ArchiveExtractor syncingFiles(boolean value) {
        this.syncFiles = value;
        return this;
    }

    /**
     * Waits for every task, so that nothing is still writing when the caller cleans up after a
     * failure (tasks not started by then return at once), and throws the first failure.
     */
    private static void awaitAll(List<Future<?>> tasks) {
        RuntimeException failure = null;
        boolean interrupted = false;
        for (Future<?> task : tasks) {
            while (true) {
                try {
                    task.get();
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r
                                : new CellarException(ErrorCode.RESTORE_FAILED, "extracting a chunk failed: "
                                        + e.getCause(), null, e.getCause());
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    // cancelled after an interrupt
                } catch (InterruptedException e) {
                    // Chunks not started never start; the running ones end their chunk, and are waited for.
                    interrupted = true;
                    tasks.forEach(t -> t.cancel(false));
                    failure = new CellarException(ErrorCode.RESTORE_FAILED, "interrupted while extracting chunks");
                    continue;
                }
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Combines the CRC-32C of a file's pieces, in file order, and checks it against the index. */
    private void checkPieces(BackupEntry file) {
        Map<Long, Integer> pieces = pieceCrcs.remove(file);
        int crc = 0; // CRC-32C of nothing
        long covered = 0;
        if (pieces != null) {
            for (Map.Entry<Long, Integer> piece : new java.util.TreeMap<>(pieces).entrySet()) {
                long next = pieces.keySet().stream().filter(o -> o > piece.getKey()).min(Long::compare)
                        .orElse(file.size());
                if (piece.getKey() != covered) {
                    break; // a piece is missing: the combined value cannot match
                }
                long length = next - piece.getKey();
                crc = Crc32cCombination.combine(crc, piece.getValue(), length);
                covered += length;
            }
        }
        String actual = Crc32cCombination.manifestHex(crc);
        if (covered != file.size() || !actual.equals(file.checksum())) {
            throw BackupFiles.contentMismatch(context, file, ChecksumAlgorithm.CRC32C, actual);
        }
    }

    /** Reads a written file back and checks it against its checksum in the index. */
    private void checkWritten(BackupEntry file, byte[] buffer) {
        Path path = resolve(file.path());
        FileChecksum checksum = ManifestChecksums.start(checksumAlgorithm);
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                checksum.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw failed(path, StorageErrors.describe(e), e);
        }
        checkDigest(file, checksum);
    }

    /**
     * One chunk of a parallel extraction: decoded whole into native memory and written from there
     * with positional writes, so that no byte is copied between Java arrays, and nothing is written
     * before the chunk has proven intact. Larger objects (not made by Cellar's writer) stream.
     */
    private void extractChunkInParallel(ChunkContents chunk) {
        if (!BlockDecoder.fits(chunk.object())) {
            extractChunk(chunk, new byte[COPY_BUFFER], false);
            return;
        }
        BlockDecoder decoder = idleDecoders.poll();
        if (decoder == null) {
            if (!decoderSlots.tryAcquire()) { // more jobs than decoders: this one streams, in little memory
                extractChunk(chunk, new byte[COPY_BUFFER], false);
                return;
            }
            decoder = new BlockDecoder(repository.store());
        }
        try {
            writeRanges(chunk, decoder.decode(chunk.object()));
        } finally {
            idleDecoders.add(decoder);
        }
    }

    private void writeRanges(ChunkContents chunk, ByteBuffer plain) {
        for (ChunkContents.FileRange range : chunk.ranges()) {
            if (zeroed.test(range.file())) {
                continue;
            }
            if (range.chunkOffset() + (long) range.length() > plain.limit()) {
                throw new CellarException(ErrorCode.OBJECT_CORRUPT, context + ": object " + chunk.object().key()
                        + " ends before the content of " + range.file().path());
            }
            Path path = resolve(range.file().path());
            ByteBuffer piece = plain.slice(range.chunkOffset(), range.length());
            boolean whole = range.fileOffset() == 0 && range.endsFile();
            if (whole) {
                checkDigest(range.file(), ManifestChecksums.start(checksumAlgorithm).update(piece.duplicate()));
            } else if (checksumAlgorithm == ChecksumAlgorithm.CRC32C) {
                java.util.zip.CRC32C pieceCrc = new java.util.zip.CRC32C();
                pieceCrc.update(piece.duplicate());
                recordPiece(range, pieceCrc);
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                long position = range.fileOffset();
                while (piece.hasRemaining()) {
                    position += channel.write(piece, position);
                }
                written.accept(range.length());
                pieceWritten(channel, path, range);
            } catch (IOException e) {
                throw failed(path, StorageErrors.describe(e), e);
            }
        }
    }

    /**
     * Writes the file pieces one chunk holds into the files {@link #createStructure} created. The
     * chunk is verified as it streams; a damaged one fails at its end at the latest. In order, a
     * file's checksum is carried from chunk to chunk; out of order, only files the chunk holds
     * whole are checked here.
     */
    void extractChunk(ChunkContents chunk, byte[] copyBuffer, boolean inOrder) {
        long position = 0;
        try (InputStream in = repository.openBackupObject(chunk.object())) {
            for (ChunkContents.FileRange range : chunk.ranges()) {
                in.skipNBytes(range.chunkOffset() - position);
                if (zeroed.test(range.file())) {
                    position = range.chunkOffset(); // where the stream is: the next skip passes over this range
                    continue;
                }
                Path path = resolve(range.file().path());
                boolean whole = range.fileOffset() == 0 && range.endsFile();
                boolean piece = !inOrder && !whole && checksumAlgorithm == ChecksumAlgorithm.CRC32C;
                FileChecksum checksum = inOrder ? checksums.computeIfAbsent(range.file(),
                        f -> ManifestChecksums.start(checksumAlgorithm))
                        : whole ? ManifestChecksums.start(checksumAlgorithm) : null;
                java.util.zip.CRC32C pieceCrc = piece ? new java.util.zip.CRC32C() : null;
                try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)) {
                    channel.position(range.fileOffset());
                    long left = range.length();
                    while (left > 0) {
                        int n = in.read(copyBuffer, 0, (int) Math.min(copyBuffer.length, left));
                        if (n < 0) {
                            throw new CellarException(ErrorCode.OBJECT_CORRUPT, context + ": object "
                                    + chunk.object().key() + " ends before the content of " + range.file().path());
                        }
                        if (checksum != null) {
                            checksum.update(copyBuffer, 0, n);
                        } else if (pieceCrc != null) {
                            pieceCrc.update(copyBuffer, 0, n);
                        }
                        ByteBuffer bytes = ByteBuffer.wrap(copyBuffer, 0, n);
                        while (bytes.hasRemaining()) {
                            channel.write(bytes);
                        }
                        written.accept(n);
                        left -= n;
                    }
                    if (!inOrder) {
                        pieceWritten(channel, path, range);
                    }
                } catch (IOException e) {
                    throw failed(path, StorageErrors.describe(e), e);
                }
                position = range.chunkOffset() + (long) range.length();
                if (pieceCrc != null) {
                    recordPiece(range, pieceCrc);
                }
                if (inOrder && range.endsFile()) {
                    checkDigest(range.file(), checksums.remove(range.file()));
                } else if (whole) {
                    checkDigest(range.file(), checksum);
                }
            }
            in.transferTo(OutputStream.nullOutputStream()); // to the end: verifies the chunk
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, context + ": cannot read object "
                    + chunk.object().key() + ": " + e.getMessage(), null, e);
        }
    }

    /**
     * Counts a piece of a file written in a parallel extraction; when it was the file's last
     * missing one, fsyncs the file (this thread holds it open), else lets the write-behind start
     * its write-back.
     */
    private void pieceWritten(FileChannel channel, Path path, ChunkContents.FileRange range) throws IOException {
        if (!syncFiles) {
            return;
        }
        if (unwritten.computeIfAbsent(range.file(), f -> new java.util.concurrent.atomic.AtomicLong(f.size()))
                .addAndGet(-range.length()) == 0) {
            if (writeBehind != null) {
                writeBehind.completed(path);
            }
            channel.force(false);
        } else if (writeBehind != null) {
            writeBehind.wrote(path, range.length());
        }
    }

    /** The CRC-32C of a piece of a file spread over chunks, combined with the others by {@link #checkPieces}. */
    private void recordPiece(ChunkContents.FileRange range, java.util.zip.CRC32C crc) {
        pieceCrcs.computeIfAbsent(range.file(), f -> new java.util.concurrent.ConcurrentHashMap<>())
                .put(range.fileOffset(), (int) crc.getValue());
    }

    private void checkDigest(BackupEntry file, FileChecksum checksum) {
        if (!checksum.hex().equals(file.checksum())) {
            throw BackupFiles.contentMismatch(context, file, checksum);
        }
    }

    /** Permission bits and modification times: files and links first, then directories deepest first. */
    void applyMetadata() {
        List<BackupEntry> directories = new ArrayList<>();
        for (BackupEntry entry : entries) {
            if (entry.type() == EntryType.DIRECTORY) {
                directories.add(entry);
            } else {
                apply(entry);
            }
        }
        directories.sort(Comparator.comparingLong((BackupEntry d) -> d.path().chars().filter(c -> c == '/').count())
                .reversed());
        directories.forEach(this::apply);
    }

    private void apply(BackupEntry entry) {
        Path path = resolve(entry.path());
        try {
            if (entry.type() != EntryType.SYMLINK) {
                Files.setPosixFilePermissions(path, permissions(entry.mode()));
            }
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(entry.mtime(), TimeUnit.SECONDS), null, null);
        } catch (IOException e) {
            throw failed(path, StorageErrors.describe(e), e);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < PERMISSIONS.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                result.add(PERMISSIONS[bit]);
            }
        }
        return result;
    }

    private Path resolve(String relative) {
        Path path = root.resolve(relative).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new CellarException(ErrorCode.RESTORE_FAILED, context + ": entry \"" + relative + "\" of archive "
                    + archive + " would be extracted outside " + root);
        }
        return path;
    }

    private CellarException failed(Path path, String reason, Throwable cause) {
        return new CellarException(ErrorCode.RESTORE_FAILED, context + ": cannot extract archive " + archive + ": "
                + path + ": " + reason, "check the target directory's free space and permissions; discard what was"
                + " extracted and start again", cause);
    }
}
