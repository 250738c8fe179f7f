package dev.cellar.restore.export;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory a restore writes into (the data directory or a tablespace location): it must be
 * empty or absent; on failure, {@link #discard()} leaves it as it was found (removed if the restore
 * created it, emptied otherwise). Not thread-safe.
 */
final class Destination {
    private final Path path;
    private final boolean created;

    private Destination(Path path, boolean created) {
        this.path = path;
        this.created = created;
    }

    /**
     * Checks that {@code path} is an empty directory or absent, writing nothing.
     *
     * @param role for messages: {@code the destination}, {@code tablespace "extra"}
     * @return whether it exists (then empty)
     * @throws CellarException {@link ErrorCode#RESTORE_FAILED} if it is not an empty directory
     */
    static boolean check(Path path, String role, String hint) {
        Path absolute = path.toAbsolutePath().normalize();
        try {
            if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            if (!Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
                throw new CellarException(ErrorCode.RESTORE_FAILED,
                        "%s %s exists and is not a directory".formatted(role, absolute), hint);
            }
            List<String> entries = new ArrayList<>();
            try (DirectoryStream<Path> children = Files.newDirectoryStream(absolute)) {
                for (Path child : children) {
                    entries.add(child.getFileName().toString());
                    if (entries.size() == 3) {
                        break;
                    }
                }
            }
            if (!entries.isEmpty()) {
                throw new CellarException(ErrorCode.RESTORE_FAILED, "%s %s is not empty (it holds %s%s)"
                        .formatted(role, absolute, String.join(", ", entries), entries.size() == 3 ? ", …" : ""),
                        hint);
            }
            return true;
        } catch (IOException e) {
            throw cannotPrepare(role, absolute, e);
        }
    }

    /**
     * Checks and claims {@code path}: creates it (and missing parents) with mode 0700 if absent.
     *
     * @param role for messages: {@code the destination}, {@code tablespace "extra"}
     * @throws CellarException {@link ErrorCode#RESTORE_FAILED} if it is not an empty directory
     */
    static Destination claim(Path path, String role, String hint) {
        Path absolute = path.toAbsolutePath().normalize();
        boolean exists = check(absolute, role, hint);
        try {
            if (exists) {
                Files.setPosixFilePermissions(absolute, PosixFilePermissions.fromString("rwx------"));
                return new Destination(absolute, false);
            }
            Files.createDirectories(absolute.getParent());
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // The new directory's entry must survive a crash too, not only its contents.
            try (java.nio.channels.FileChannel parent = java.nio.channels.FileChannel.open(absolute.getParent(),
                    java.nio.file.StandardOpenOption.READ)) {
                parent.force(true);
            }
            return new Destination(absolute, true);
        } catch (IOException e) {
            throw cannotPrepare(role, absolute, e);
        }
    }

    private static CellarException cannotPrepare(String role, Path absolute, IOException e) {
        return new CellarException(ErrorCode.RESTORE_FAILED, "cannot prepare %s %s: %s".formatted(role, absolute, e),
                "check that the parent directory exists and is writable", e);
    }

    Path path() {
        return path;
    }

    /** Removes what the restore wrote; best effort, failures are returned as text. */
    List<String> discard() {
        List<String> problems = new ArrayList<>();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return problems;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    delete(file, problems);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
                    if (created || !dir.equals(path)) {
                        delete(dir, problems);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            problems.add(path + ": " + e);
        }
        return problems;
    }

    private static void delete(Path file, List<String> problems) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            problems.add(file + ": " + e);
        }
    }
}
