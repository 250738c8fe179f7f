package dev.cellar.storage.local;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.BatchFailures;
import dev.cellar.storage.ObjectExistsException;
import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectNotFoundException;
import dev.cellar.storage.ObjectPage;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.OverwritePolicy;
import dev.cellar.storage.PutContent;
import dev.cellar.storage.StorageErrors;
import dev.cellar.storage.StoreFeature;
import dev.cellar.storage.WriteOptions;
import dev.cellar.storage.io.LimitedInputStream;
import dev.cellar.storage.local.LocalTree.ObjectFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An {@link ObjectStore} over a directory: each object is a file at its key's relative path (mode
 * 0600, directories 0700).
 *
 * <p>A put writes a temporary file {@code .tmp-<pid>-<random>} in the object's own directory (so the
 * final rename never crosses file systems), fsyncs it, publishes it, and fsyncs the directory:
 * when put returns, the object survives a power loss. {@link OverwritePolicy#REPLACE} publishes by
 * an atomic rename. {@link OverwritePolicy#FAIL_IF_EXISTS} publishes by a hard link, which the
 * kernel refuses atomically when the name exists, so of two racing writers exactly one wins and
 * the existing object is never replaced; the temporary name is then removed. This needs a file
 * system with hard links (ext4, XFS, Btrfs, ZFS, NFS all have them).
 *
 * <p>Limits of a file system that S3 does not have: a key cannot both name an object and be a
 * prefix directory of others ({@code a} and {@code a/b}), and each segment must fit the file
 * system's name limit (255 bytes on ext4). Directories are kept when their last object is
 * deleted. The store never follows a symbolic link out of its root, and listing does not follow
 * symbolic links at all; Cellar never creates them.
 *
 * <p>Thread-safe. One root may be open in several processes at once (temporary files of other
 * writers are left alone, see {@link LeftoverTempFiles}).
 */
public final class LocalStore implements ObjectStore {
    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final int COPY_BUFFER = 256 * 1024;

    private final Path root;
    private final String description;
    private final LocalTree tree;

    private LocalStore(Path realRoot) {
        this.root = realRoot;
        this.description = "local store " + realRoot;
        this.tree = new LocalTree(realRoot, description);
    }

    /**
     * Opens the store on an existing directory, resolved to its real path, and removes temporary
     * files that interrupted writes left behind (logged at INFO).
     *
     * @throws CellarException ({@code STORAGE_FAILED}) when the directory does not exist or cannot
     *     be read
     */
    public static LocalStore open(Path root) {
        Objects.requireNonNull(root, "root");
        if (!Files.isDirectory(root)) {
            throw new CellarException(ErrorCode.STORAGE_FAILED,
                    "local store root " + root.toAbsolutePath() + " does not exist or is not a directory",
                    "create it (mode 0700, owned by the user running Cellar) or point the repository at an existing directory");
        }
        try {
            Path realRoot = root.toRealPath();
            LeftoverTempFiles.remove(realRoot, Instant.now());
            return new LocalStore(realRoot);
        } catch (IOException e) {
            throw StorageErrors.failed("open", "root " + root, "local store", e);
        }
    }

    /** The real path of the root directory. */
    public Path root() {
        return root;
    }

    /**
     * The file that holds (or would hold) the object, for callers that checked
     * {@link StoreFeature#LOCAL_PATHS} and want file APIs. No check is made: use {@link #head} to
     * learn whether the object exists.
     */
    public Path pathOf(ObjectKey key) {
        return root.resolve(key.value());
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Set<StoreFeature> features() {
        return EnumSet.of(StoreFeature.ATOMIC_RENAME, StoreFeature.DIRECTORY_SYNC, StoreFeature.RANGED_READ,
                StoreFeature.LOCAL_PATHS);
    }

    @Override
    public ObjectInfo put(ObjectKey key, InputStream content, WriteOptions options) {
        Objects.requireNonNull(content, "content");
        boolean failIfExists = options.overwrite() == OverwritePolicy.FAIL_IF_EXISTS;
        Path temp = null;
        try {
            Path directory = tree.directoryForWrite(key);
            Path target = directory.resolve(key.name());
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot write object " + key + " to " + describe()
                        + ": " + key + " is a directory of other objects; a local store cannot hold both an object"
                        + " and objects under it as a prefix");
            }
            if (failIfExists && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                // Cheap early answer; the hard link below is what makes it race-free.
                throw new ObjectExistsException(key, describe());
            }
            temp = directory.resolve(LeftoverTempFiles.newTempName());
            PutContent checked = new PutContent(content, options);
            writeDurably(temp, checked);
            publish(key, temp, target, failIfExists);
            LocalTree.syncDirectory(directory);
            Instant published = Files.getLastModifiedTime(target, LinkOption.NOFOLLOW_LINKS).toInstant();
            return new ObjectInfo(key, checked.size(), Optional.of(checked.sha256()), published);
        } catch (ObjectExistsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw StorageErrors.writeFailed(key, describe(), e);
        } finally {
            deleteTemp(temp);
        }
    }

    private static void writeDurably(Path temp, PutContent content) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_MODE)) {
            byte[] buffer = new byte[COPY_BUFFER];
            InputStream in = content.stream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
            content.checkComplete();
            channel.force(true);
        }
    }

    private void publish(ObjectKey key, Path temp, Path target, boolean failIfExists) throws IOException {
        if (!failIfExists) {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw new ObjectExistsException(key, describe());
        } catch (UnsupportedOperationException e) {
            throw new IOException("the file system under " + root + " has no hard links, which a local store"
                    + " needs to write objects without ever replacing one", e);
        }
        // Before the directory fsync, so that one fsync makes both the link and this removal durable.
        deleteTemp(temp);
    }

    private static void deleteTemp(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            // After a rename it is gone; after a link or a failure it is removed here. A crash
            // before this line leaves it for LeftoverTempFiles.
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // Never listed and removed at the next open; the put's outcome stands.
        }
    }

    @Override
    public InputStream get(ObjectKey key) {
        return open(key, 0, Long.MAX_VALUE);
    }

    @Override
    public InputStream get(ObjectKey key, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        return open(key, offset, length);
    }

    private InputStream open(ObjectKey key, long offset, long length) {
        try {
            ObjectFile file = tree.objectFile(key).orElseThrow(() -> new ObjectNotFoundException(key, describe()));
            FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            try {
                channel.position(offset);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            InputStream in = Channels.newInputStream(channel);
            return length == Long.MAX_VALUE ? in : new LimitedInputStream(in, length);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key, describe());
        } catch (IOException e) {
            throw StorageErrors.failed("read", "object " + key, describe(), e);
        }
    }

    @Override
    public Optional<ObjectInfo> head(ObjectKey key) {
        try {
            return tree.objectFile(key).map(file -> new ObjectInfo(key, file.attributes().size(), Optional.empty(),
                    file.attributes().lastModifiedTime().toInstant()));
        } catch (IOException e) {
            throw StorageErrors.failed("look up", "object " + key, describe(), e);
        }
    }

    @Override
    public ObjectPage list(String prefix, Optional<String> startAfter, int pageSize) {
        ObjectKey.checkPrefix(prefix);
        Objects.requireNonNull(startAfter, "startAfter");
        ObjectPage.checkPageSize(pageSize);
        try {
            return LocalListing.page(tree, prefix, startAfter, pageSize);
        } catch (IOException e) {
            throw StorageErrors.failed("list", "prefix \"" + prefix + "\"", describe(), e);
        }
    }

    @Override
    public void delete(ObjectKey key) {
        try {
            Optional<Path> directory = deleteFile(key);
            if (directory.isPresent()) {
                LocalTree.syncDirectory(directory.get());
            }
        } catch (IOException e) {
            throw StorageErrors.failed("delete", "object " + key, describe(), e);
        }
    }

    /** Deletes each object, then fsyncs each directory touched once, so the deletions are durable. */
    @Override
    public void deleteAll(Collection<ObjectKey> keys) {
        BatchFailures failures = new BatchFailures("delete", describe());
        Map<Path, ObjectKey> directories = new LinkedHashMap<>();
        for (ObjectKey key : keys) {
            try {
                deleteFile(key).ifPresent(directory -> directories.putIfAbsent(directory, key));
            } catch (IOException e) {
                failures.add(key, StorageErrors.failed("delete", "object " + key, describe(), e));
            } catch (RuntimeException e) {
                failures.add(key, e);
            }
        }
        directories.forEach((directory, key) -> {
            try {
                LocalTree.syncDirectory(directory);
            } catch (IOException e) {
                failures.add(key, StorageErrors.failed("delete", "object " + key, describe(), e));
            }
        });
        failures.throwIfAny();
    }

    /** @return the directory that held the object, when there was one to delete */
    private Optional<Path> deleteFile(ObjectKey key) throws IOException {
        Optional<ObjectFile> file = tree.objectFile(key);
        if (file.isEmpty() || !Files.deleteIfExists(file.get().path())) {
            return Optional.empty();
        }
        return Optional.of(file.get().path().getParent());
    }

    @Override
    public String toString() {
        return description;
    }
}
