package dev.cellar.storage.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.StorageErrors;
import dev.cellar.storage.io.Sha256;
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
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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
    private final Map<BackupEntry, MessageDigest> digests = new IdentityHashMap<>();
    private final byte[] copyBuffer = new byte[COPY_BUFFER];
    private Path root;

    ArchiveExtractor(Repository repository, String context, String archive, List<BackupEntry> entries,
                     List<ChunkContents> chunks) {
        this.repository = repository;
        this.context = context;
        this.archive = archive;
        this.entries = entries;
        this.chunks = chunks;
    }

    void extractTo(Path target) {
        createStructure(target);
        for (ChunkContents chunk : chunks) {
            extractChunk(chunk);
        }
        for (BackupEntry entry : entries) {
            if (entry.isFile() && entry.size() == 0) {
                checkDigest(entry, Sha256.newDigest());
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
                    case FILE -> Files.createFile(path);
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
     * Writes the file pieces one chunk holds into the files {@link #createStructure} created. The
     * chunk is verified as it streams; a damaged one fails at its end at the latest.
     */
    void extractChunk(ChunkContents chunk) {
        long position = 0;
        try (InputStream in = repository.openBackupObject(chunk.object())) {
            for (ChunkContents.FileRange range : chunk.ranges()) {
                in.skipNBytes(range.chunkOffset() - position);
                Path path = resolve(range.file().path());
                MessageDigest digest = digests.computeIfAbsent(range.file(), f -> Sha256.newDigest());
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
                        digest.update(copyBuffer, 0, n);
                        ByteBuffer bytes = ByteBuffer.wrap(copyBuffer, 0, n);
                        while (bytes.hasRemaining()) {
                            channel.write(bytes);
                        }
                        left -= n;
                    }
                } catch (IOException e) {
                    throw failed(path, StorageErrors.describe(e), e);
                }
                position = range.chunkOffset() + (long) range.length();
                if (range.endsFile()) {
                    checkDigest(range.file(), digests.remove(range.file()));
                }
            }
            in.transferTo(OutputStream.nullOutputStream()); // to the end: verifies the chunk
        } catch (IOException e) {
            throw new CellarException(ErrorCode.STORAGE_FAILED, context + ": cannot read object "
                    + chunk.object().key() + ": " + e.getMessage(), null, e);
        }
    }

    private void checkDigest(BackupEntry file, MessageDigest digest) {
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(file.sha256())) {
            throw BackupFiles.contentMismatch(context, file, actual);
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
