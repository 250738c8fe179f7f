package dev.cellar.catalog;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates the catalog's directory (mode 0700) and file (mode 0600) before SQLite opens it, so the
 * catalog is private to the user running Cellar from its first byte; SQLite gives the {@code -wal}
 * and {@code -shm} files it creates the database file's mode. Existing directories and files are
 * left as they are. Stateless.
 */
final class CatalogFiles {
    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private CatalogFiles() {
    }

    /**
     * Creates the parent directories of {@code file} and {@code file} itself (empty, which SQLite
     * reads as an empty database) where they are missing.
     */
    static void prepare(Path file) throws IOException {
        Path directory = file.getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            Files.createDirectories(directory, DIRECTORY_MODE);
        }
        createIfMissing(file);
    }

    /** The file whose lock serialises schema migrations between processes: {@code <file>.lock}. */
    static Path migrationLockFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    /** Creates {@code file}, empty and mode 0600, unless it exists (another process may race us to it). */
    static void createIfMissing(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        try {
            Files.createFile(file, FILE_MODE);
        } catch (FileAlreadyExistsException raced) {
            // Another process created it first; it used the same mode.
        }
    }
}
