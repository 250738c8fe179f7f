package dev.cellar.storage.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.FileChecksum;
import dev.cellar.core.backup.ManifestChecksums;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.storage.repository.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * The files of a committed backup, read back from the repository: its file index (loaded and
 * verified once, by {@link #open}), single files, whole archives. Every byte handed out comes
 * from a chunk verified against its record in {@code backup.json}; file contents are also checked
 * against their checksum in the index.
 *
 * <p>Thread-safe after {@link #open}: the index is immutable; each {@link #openFile} stream and
 * each extraction belongs to its caller. Methods block on storage I/O.
 */
public final class BackupFiles {
    private final Repository repository;
    private final BackupInfo backup;
    private final String context;
    private final List<String> archives;
    private final List<BackupEntry> entries;
    private final Map<String, List<BackupEntry>> entriesByArchive;
    private final Map<String, Map<String, BackupEntry>> byPath;
    private final Map<String, List<ChunkContents>> chunks;
    private final ChecksumAlgorithm checksumAlgorithm;

    private BackupFiles(Repository repository, BackupInfo backup, String context, ChecksumAlgorithm checksumAlgorithm,
                        List<String> archives,
                        List<BackupEntry> entries, Map<String, List<BackupEntry>> entriesByArchive,
                        Map<String, List<ChunkContents>> chunks) {
        this.repository = repository;
        this.backup = backup;
        this.context = context;
        this.checksumAlgorithm = checksumAlgorithm;
        this.archives = List.copyOf(archives);
        this.entries = List.copyOf(entries);
        this.entriesByArchive = entriesByArchive;
        this.chunks = chunks;
        this.byPath = new HashMap<>();
        for (BackupEntry entry : entries) {
            byPath.computeIfAbsent(entry.archive(), a -> new HashMap<>()).put(entry.path(), entry);
        }
    }

    /**
     * Loads and checks the backup's file index: its checksum (from {@code backup.json}), format,
     * that every path obeys {@link ArchiveEntryPolicy} (so nothing can be extracted outside a
     * target), and that the files' offsets and the chunks listed in {@code backup.json} cover each
     * archive's content exactly.
     *
     * @throws CellarException {@code OBJECT_CORRUPT} when the index or backup.json's list of
     *     objects is damaged or inconsistent; {@code INVALID_VALUE} for an index of a newer format;
     *     {@code STORAGE_FAILED} when the store fails
     */
    public static BackupFiles open(Repository repository, BackupInfo backup) {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(backup, "backup");
        String context = "backup " + backup.id() + " of cluster " + backup.cluster();
        List<BackupInfo.BackupObject> indexes = backup.objects().stream()
                .filter(o -> o.role().equals("index")).toList();
        if (indexes.size() != 1) {
            throw inconsistent(context, "backup.json lists " + indexes.size() + " file index objects instead of one");
        }
        StoredObject index = indexes.getFirst().object();
        String name = "object " + index.key();
        FileIndex.Parsed parsed;
        try (InputStream in = repository.openBackupObject(index)) {
            parsed = FileIndex.read(in, name);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot read " + name + ": " + e.getMessage(), null, e);
        }
        FileIndex.Header header = parsed.header();
        if (!header.cluster().equals(backup.cluster()) || !header.backup().equals(backup.id())) {
            throw inconsistent(context, name + " belongs to backup " + header.backup() + " of cluster "
                    + header.cluster());
        }
        Map<String, List<StoredObject>> chunkObjects = chunkObjects(backup, context);
        List<String> archives = new ArrayList<>();
        Map<String, List<BackupEntry>> byArchive = new LinkedHashMap<>();
        Map<String, List<ChunkContents>> chunks = new HashMap<>();
        int at = 0;
        int line = 1;
        for (FileIndex.ArchiveHeader archive : header.archives()) {
            String archiveName = archive.archive();
            try {
                ArchiveEntryPolicy.checkArchiveName(archiveName);
            } catch (CellarException e) {
                throw FileIndex.corrupt(name, 1, e.getMessage());
            }
            if (byArchive.containsKey(archiveName)) {
                throw FileIndex.corrupt(name, 1, "archive " + archiveName + " is listed twice");
            }
            if (archive.entries() < 0 || at + archive.entries() > parsed.entries().size()) {
                throw FileIndex.corrupt(name, 1, "archive " + archiveName + " claims " + archive.entries()
                        + " entries, more than the index holds");
            }
            List<BackupEntry> list = parsed.entries().subList(at, at + (int) archive.entries());
            ArchiveEntryPolicy policy = new ArchiveEntryPolicy(archiveName);
            long offset = 0;
            for (BackupEntry entry : list) {
                line++;
                checkEntry(entry, archiveName, offset, policy, name, line);
                if (entry.isFile()) {
                    offset = entry.end();
                }
            }
            List<StoredObject> objects = chunkObjects.getOrDefault(archiveName, List.of());
            if (objects.size() != archive.chunks()) {
                throw inconsistent(context, "backup.json lists " + objects.size() + " chunks of archive " + archiveName
                        + " but " + name + " records " + archive.chunks());
            }
            long chunked = objects.stream().mapToLong(StoredObject::logicalSize).sum();
            if (offset != archive.contentSize() || chunked != offset) {
                throw inconsistent(context, "archive " + archiveName + ": its files hold " + offset + " bytes, "
                        + name + " records " + archive.contentSize() + " and its chunks hold " + chunked);
            }
            archives.add(archiveName);
            byArchive.put(archiveName, List.copyOf(list));
            chunks.put(archiveName, ranges(archiveName, objects, list));
            at += (int) archive.entries();
        }
        if (at != parsed.entries().size()) {
            throw FileIndex.corrupt(name, at + 2, "entries beyond those the header accounts for");
        }
        for (String archive : chunkObjects.keySet()) {
            if (!byArchive.containsKey(archive)) {
                throw inconsistent(context, "backup.json lists chunks of archive " + archive + ", which " + name
                        + " does not know");
            }
        }
        return new BackupFiles(repository, backup, context, header.checksumAlgorithm(), archives, parsed.entries(),
                byArchive, chunks);
    }

    /** The algorithm of the file checksums in {@link BackupEntry#checksum()}. */
    public ChecksumAlgorithm checksumAlgorithm() {
        return checksumAlgorithm;
    }

    /** The archives, in the order they were received ({@code base} and tablespace OIDs). */
    public List<String> archives() {
        return archives;
    }

    /** Every entry: archives in the order received, entries in stream order. */
    public List<BackupEntry> entries() {
        return entries;
    }

    /** The entries of one archive, in stream order. */
    public List<BackupEntry> entries(String archive) {
        return entriesByArchive.getOrDefault(archive, List.of());
    }

    /** The entry with this path (normalised, as in {@link BackupEntry#path()}) in an archive. */
    public Optional<BackupEntry> find(String archive, String path) {
        return Optional.ofNullable(byPath.getOrDefault(archive, Map.of()).get(path));
    }

    /** The chunks of one archive, in order, each with the file ranges it holds. */
    public List<ChunkContents> chunks(String archive) {
        return chunks.getOrDefault(archive, List.of());
    }

    /**
     * One file's content. Only the chunks it spans are read, one at a time, each decoded whole and
     * verified before any of its bytes is handed out (memory: one chunk); at the end the file's
     * checksum is checked against the index. The caller must close the stream.
     *
     * @throws IllegalArgumentException when {@code file} is not a file of this backup
     * @throws CellarException from reads: {@code OBJECT_CORRUPT} for a damaged chunk or content,
     *     {@code STORAGE_FAILED} when the store fails
     */
    public InputStream openFile(BackupEntry file) {
        if (!file.isFile() || !file.equals(find(file.archive(), file.path()).orElse(null))) {
            throw new IllegalArgumentException(file.path() + " is not a file of archive " + file.archive() + " of "
                    + context);
        }
        return new FileContentStream(file, chunks(file.archive()));
    }

    /**
     * Recreates one archive in {@code target}: directories (also empty ones), files with their
     * content, symbolic links with their recorded target (a tablespace's original location: the
     * link is created, never followed), then permission bits ({@code mode & 0777}; set-id and
     * sticky bits are not restored) and modification times, directories last and deepest first.
     * Owners are not restored. Nothing is written outside {@code target}, which must be empty or
     * absent. Chunks are extracted one after the other (see {@link #chunks} for extracting them
     * independently). Nothing is fsynced. On failure the target holds a partial extraction and
     * must be discarded.
     *
     * @throws CellarException {@code RESTORE_FAILED} when the target is not empty or cannot be
     *     written, {@code OBJECT_CORRUPT} when a chunk or a file's content is damaged
     * @throws IllegalArgumentException for an archive the backup does not have
     */
    public void extractArchive(String archive, Path target) {
        if (!entriesByArchive.containsKey(archive)) {
            throw new IllegalArgumentException(context + " has no archive " + archive);
        }
        new ArchiveExtractor(repository, context, checksumAlgorithm, archive, entries(archive), chunks(archive))
                .extractTo(target);
    }

    /**
     * Like {@link #extractArchive(String, Path)}, with the archive's chunks extracted in parallel on
     * {@code executor} (which this does not shut down). Files spread over several chunks are read
     * back and checked after all chunks are written.
     */
    public void extractArchive(String archive, Path target, ExecutorService executor) {
        extractArchive(archive, target, Extraction.on(executor));
    }

    /**
     * Like {@link #extractArchive(String, Path, ExecutorService)}, as {@code how} says: files it
     * zeroes are created as sparse, zero-filled files of their recorded size without reading their
     * content (chunks holding only such files are not read at all: a selective restore's excluded
     * databases, which recovery's full-page images overwrite where WAL touches them and which must
     * be dropped afterwards); bytes written reported as they are written; each file fsynced as
     * soon as it is complete.
     */
    public void extractArchive(String archive, Path target, Extraction how) {
        if (!entriesByArchive.containsKey(archive)) {
            throw new IllegalArgumentException(context + " has no archive " + archive);
        }
        new ArchiveExtractor(repository, context, checksumAlgorithm, archive, entries(archive), chunks(archive))
                .zeroing(how.zeroed()).reporting(how.written()).syncingFiles(how.syncFiles())
                .extractTo(target, how.executor());
    }

    /** The backup these files belong to. */
    public BackupInfo info() {
        return backup;
    }

    BackupInfo backup() {
        return backup;
    }

    /** The verified logical bytes of one chunk. */
    static byte[] readChunk(Repository repository, ChunkContents chunk) {
        StoredObject object = chunk.object();
        try (InputStream in = repository.openBackupObject(object)) {
            byte[] bytes = in.readNBytes((int) object.logicalSize());
            // Reading to the end makes the stream verify sizes and checksums.
            if (bytes.length != object.logicalSize() || in.read() != -1) {
                throw new CellarException(ErrorCode.OBJECT_CORRUPT, "object " + object.key() + " does not decode to"
                        + " its recorded " + object.logicalSize() + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot read object " + object.key() + ": "
                    + e.getMessage(), null, e);
        }
    }

    static CellarException contentMismatch(String context, BackupEntry file, FileChecksum actual) {
        return contentMismatch(context, file, actual.algorithm(), actual.hex());
    }

    static CellarException contentMismatch(String context, BackupEntry file, ChecksumAlgorithm algorithm,
                                           String actualHex) {
        return new CellarException(ErrorCode.OBJECT_CORRUPT, context + ": file " + file.path() + " of archive "
                + file.archive() + " has " + algorithm.pgName() + " " + actualHex
                + " but the file index records " + file.checksum(),
                "the chunks verify but do not hold what the index says: the backup was written by a faulty Cellar;"
                        + " restore from another backup");
    }

    private static void checkEntry(BackupEntry entry, String archive, long offset, ArchiveEntryPolicy policy,
                                   String name, int line) {
        if (!entry.archive().equals(archive)) {
            throw FileIndex.corrupt(name, line, "entry of archive " + entry.archive() + " among those of " + archive);
        }
        char typeflag = switch (entry.type()) {
            case FILE -> '0';
            case DIRECTORY -> '5';
            case SYMLINK -> '2';
        };
        String raw = entry.isFile() ? entry.path() : entry.path() + "/";
        ArchiveEntryPolicy.Accepted accepted;
        try {
            accepted = policy.check(TarHeader.of(raw, typeflag, entry.target() == null ? "" : entry.target(),
                    entry.size()));
        } catch (CellarException e) {
            throw FileIndex.corrupt(name, line, e.getMessage());
        }
        if (!accepted.path().equals(entry.path())) {
            throw FileIndex.corrupt(name, line, "path \"" + entry.path() + "\" is not in normal form");
        }
        if (entry.isFile() && entry.offset() != offset) {
            throw FileIndex.corrupt(name, line, "file " + entry.path() + " starts at offset " + entry.offset()
                    + " of the content stream, expected " + offset);
        }
    }

    private static Map<String, List<StoredObject>> chunkObjects(BackupInfo backup, String context) {
        Map<String, List<BackupInfo.BackupObject>> grouped = new HashMap<>();
        for (BackupInfo.BackupObject object : backup.objects()) {
            if (object.role().equals("chunk")) {
                if (object.archive() == null) {
                    throw inconsistent(context, "backup.json lists chunk " + object.object().key()
                            + " without archive");
                }
                grouped.computeIfAbsent(object.archive(), a -> new ArrayList<>()).add(object);
            }
        }
        Map<String, List<StoredObject>> result = new HashMap<>();
        grouped.forEach((archive, list) -> {
            list.sort(Comparator.comparingInt(BackupInfo.BackupObject::sequence));
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).sequence() != i) {
                    throw inconsistent(context, "backup.json lists chunk " + list.get(i).sequence() + " of archive "
                            + archive + " where chunk " + i + " belongs");
                }
                if (list.get(i).object().logicalSize() > Integer.MAX_VALUE - 8) {
                    throw inconsistent(context, "chunk " + i + " of archive " + archive + " is too large");
                }
            }
            result.put(archive, list.stream().map(BackupInfo.BackupObject::object).toList());
        });
        return result;
    }

    /** Which piece of which file each chunk holds; files are contiguous in the content stream. */
    private static List<ChunkContents> ranges(String archive, List<StoredObject> objects, List<BackupEntry> entries) {
        List<BackupEntry> files = entries.stream().filter(e -> e.isFile() && e.size() > 0).toList();
        List<ChunkContents> result = new ArrayList<>(objects.size());
        int next = 0;
        long chunkStart = 0;
        for (int sequence = 0; sequence < objects.size(); sequence++) {
            StoredObject object = objects.get(sequence);
            long chunkEnd = chunkStart + object.logicalSize();
            List<ChunkContents.FileRange> pieces = new ArrayList<>();
            while (next < files.size() && files.get(next).offset() < chunkEnd) {
                BackupEntry file = files.get(next);
                long from = Math.max(file.offset(), chunkStart);
                long to = Math.min(file.end(), chunkEnd);
                pieces.add(new ChunkContents.FileRange(file, from - file.offset(), (int) (from - chunkStart),
                        (int) (to - from)));
                if (file.end() > chunkEnd) {
                    break;
                }
                next++;
            }
            result.add(new ChunkContents(archive, sequence, object, chunkStart, pieces));
            chunkStart = chunkEnd;
        }
        return result;
    }

    private static CellarException inconsistent(String context, String problem) {
        return new CellarException(ErrorCode.OBJECT_CORRUPT, context + ": " + problem,
                "backup.json and the file index disagree: the backup was written by a faulty Cellar or edited;"
                        + " restore from another backup");
    }

    /** A file's bytes, chunk by chunk. */
    private final class FileContentStream extends InputStream {
        private final BackupEntry file;
        private final List<ChunkContents> archiveChunks;
        private final FileChecksum checksum = ManifestChecksums.start(checksumAlgorithm);
        private int chunkIndex;
        private byte[] data;
        private int position;
        private int limit;
        private long remaining;
        private boolean verified;

        FileContentStream(BackupEntry file, List<ChunkContents> archiveChunks) {
            this.file = file;
            this.archiveChunks = archiveChunks;
            this.remaining = file.size();
            int low = 0;
            int high = archiveChunks.size() - 1;
            while (low < high) { // the last chunk starting at or before the file's offset
                int mid = (low + high + 1) >>> 1;
                if (archiveChunks.get(mid).contentOffset() <= file.offset()) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            this.chunkIndex = low;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            if (remaining == 0) {
                verify();
                return -1;
            }
            if (length == 0) {
                return 0;
            }
            if (data == null || position == limit) {
                ChunkContents chunk = archiveChunks.get(chunkIndex++);
                data = null; // let the previous chunk go before reading the next
                data = readChunk(repository, chunk);
                position = (int) Math.max(0, file.offset() - chunk.contentOffset());
                limit = (int) Math.min(chunk.size(), file.end() - chunk.contentOffset());
            }
            int n = Math.min(length, limit - position);
            System.arraycopy(data, position, buffer, offset, n);
            checksum.update(data, position, n);
            position += n;
            remaining -= n;
            return n;
        }

        private void verify() {
            if (verified) {
                return;
            }
            if (!checksum.hex().equals(file.checksum())) {
                throw contentMismatch(context, file, checksum);
            }
            verified = true;
            data = null;
        }
    }
}
