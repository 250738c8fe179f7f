package dev.cellar.storage.local;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.ObjectKey;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Maps keys to paths under a store's root without ever leaving it: every directory on a key's path
 * is resolved to its real path and must lie under the real root, so a symbolic link planted in the
 * repository cannot redirect reads or writes elsewhere. Thread-safe (stateless apart from the root).
 */
final class LocalTree {
    static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    /** A regular file holding an object, with its attributes as read. */
    record ObjectFile(Path path, BasicFileAttributes attributes) {
    }

    private final Path realRoot;
    private final String store;

    LocalTree(Path realRoot, String store) {
        this.realRoot = realRoot;
        this.store = store;
    }

    /**
     * The object's file, or empty when there is none (also when the key names a directory, or a
     * directory on its path is missing).
     *
     * @throws CellarException ({@code STORAGE_FAILED}) when the path leaves the root or the object is
     *     a symbolic link, which Cellar never creates
     */
    Optional<ObjectFile> objectFile(ObjectKey key) throws IOException {
        List<String> segments = key.segments();
        Optional<Path> directory = existingDirectory("object " + key, segments.subList(0, segments.size() - 1));
        if (directory.isEmpty()) {
            return Optional.empty();
        }
        Path file = directory.get().resolve(key.name());
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (attributes.isDirectory()) {
            return Optional.empty();
        }
        if (!attributes.isRegularFile()) {
            throw refused("object " + key, "it is a symbolic link or special file, which Cellar never creates");
        }
        return Optional.of(new ObjectFile(file, attributes));
    }

    /**
     * The real path of the directory named by these segments, or empty when it does not exist (or is
     * a file).
     *
     * @param subject what the directory is for, named in errors: {@code object a/b} or {@code prefix a/}
     */
    Optional<Path> existingDirectory(String subject, List<String> segments) throws IOException {
        if (segments.isEmpty()) {
            return Optional.of(realRoot);
        }
        Path directory = realRoot.resolve(String.join("/", segments));
        Path real;
        try {
            real = directory.toRealPath();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        checkInsideRoot(subject, real);
        return Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS) ? Optional.of(real) : Optional.empty();
    }

    /**
     * The real path of the directory that will hold the object, creating missing directories (mode
     * 0700) one at a time. Each new directory's entry is made durable by an fsync of its parent, so
     * that a published object is never orphaned by a crash that loses its directory.
     */
    Path directoryForWrite(ObjectKey key) throws IOException {
        List<String> segments = key.segments();
        Path current = realRoot;
        for (String segment : segments.subList(0, segments.size() - 1)) {
            Path next = current.resolve(segment);
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(next, DIRECTORY_MODE);
                } catch (FileAlreadyExistsException e) {
                    // Created concurrently by another writer, which may not have synced it yet:
                    // sync it here too rather than publish into a directory a crash could lose.
                }
                syncDirectory(current);
            }
            if (Files.isSymbolicLink(next)) {
                next = next.toRealPath();
                checkInsideRoot("object " + key, next);
            }
            if (!Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
                throw new CellarException(ErrorCode.STORAGE_FAILED, "cannot write object " + key + " to " + store
                        + ": " + realRoot.relativize(next) + " is an object, not a directory; a local store"
                        + " cannot hold both an object and objects under it as a prefix");
            }
            current = next;
        }
        return current;
    }

    /** Makes the directory's entries (created, renamed, removed files) durable. */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private void checkInsideRoot(String subject, Path real) {
        if (!real.startsWith(realRoot)) {
            throw refused(subject, "its directory resolves to " + real
                    + " through a symbolic link, outside the store root " + realRoot);
        }
    }

    private CellarException refused(String subject, String reason) {
        return new CellarException(ErrorCode.STORAGE_FAILED, "refusing " + subject + " in " + store + ": " + reason,
                "Cellar never creates symbolic links in a repository; find out who did and remove the link");
    }
}
