package dev.cellar.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * Copies a running server's data directory the way BASE_BACKUP does: leaving out what belongs to
 * the running instance (pid file, WAL, slots, temporary state) and tolerating files that vanish
 * while we copy. Used between {@code pg_backup_start} and {@code pg_backup_stop}.
 */
final class DataDirectoryCopier {
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts",
            "backup_label", "tablespace_map", "backup_manifest", "standby.signal", "recovery.signal");
    private static final Set<String> EMPTIED_DIRECTORIES = Set.of("pg_wal", "pg_replslot", "pg_dynshmem",
            "pg_notify", "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");

    private DataDirectoryCopier() {
    }

    static void copy(Path source, Path target) {
        try {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Path relative = source.relativize(dir);
                    Files.createDirectories(target.resolve(relative));
                    Files.setPosixFilePermissions(target.resolve(relative), Files.getPosixFilePermissions(dir));
                    if (relative.getNameCount() == 1 && EMPTIED_DIRECTORIES.contains(relative.toString())) {
                        if (relative.toString().equals("pg_wal")) {
                            Files.createDirectories(target.resolve("pg_wal/archive_status"));
                            if (Files.isDirectory(dir.resolve("summaries"))) {
                                Files.createDirectories(target.resolve("pg_wal/summaries"));
                            }
                        }
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path relative = source.relativize(file);
                    String name = relative.getFileName().toString();
                    if (relative.getNameCount() == 1 && SKIPPED_FILES.contains(name)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (name.startsWith("pgsql_tmp") || name.startsWith("pg_internal.init")) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (attrs.isSymbolicLink()) {
                        throw new IOException("tablespace link " + relative + ": the test kit does not copy "
                                + "servers with tablespaces into standbys");
                    }
                    try {
                        Files.copy(file, target.resolve(relative), StandardCopyOption.COPY_ATTRIBUTES,
                                LinkOption.NOFOLLOW_LINKS);
                    } catch (NoSuchFileException vanished) {
                        // Removed by the server while we copied: WAL replay recreates what matters.
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
        }
    }
}
