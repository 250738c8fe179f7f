package dev.cellar.restore.postgres;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.restore.files.FileTrees;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Unpacks a bundled PostgreSQL binary archive (a jar holding {@code postgres-linux-x86_64.txz}) into
 * a directory, once. Several JVMs may race to unpack the same version: each unpacks into its own
 * temporary directory and moves it into place atomically; the loser discards its copy. A
 * {@code .complete} marker distinguishes a finished directory from one left by a crash.
 */
final class DistributionUnpacker {
    private static final String ARCHIVE_ENTRY = "postgres-linux-x86_64.txz";
    private static final String COMPLETE_MARKER = ".complete";
    // The server runs as an unprivileged user when we are root: everything must be world-readable.
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");

    private DistributionUnpacker() {
    }

    static Path unpack(Path jar, Path target) {
        if (Files.exists(target.resolve(COMPLETE_MARKER))) {
            return target;
        }
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".unpacking-");
            Files.setPosixFilePermissions(temp, DIR_MODE);
            extract(jar, temp);
            Files.createFile(temp.resolve(COMPLETE_MARKER));
            if (Files.exists(target) && !Files.exists(target.resolve(COMPLETE_MARKER))) {
                // Left by a crashed unpack that got as far as the move but not the marker: impossible
                // with the marker written before the move, but an older layout could have done it.
                FileTrees.deleteRecursively(target);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                temp = null;
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
                    throw e;
                }
            }
            return target;
        } catch (IOException e) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                    "cannot unpack PostgreSQL binaries " + jar + " into " + target + ": " + e,
                    "Check free space and permissions of " + target.getParent() + ".", e);
        } finally {
            if (temp != null) {
                FileTrees.deleteQuietly(temp);
            }
        }
    }

    private static void extract(Path jar, Path into) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(ARCHIVE_ENTRY);
            if (entry == null) {
                throw new IOException(jar + " has no " + ARCHIVE_ENTRY);
            }
            try (InputStream raw = new BufferedInputStream(zip.getInputStream(entry), 1 << 16);
                 TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(raw))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    Path dest = into.resolve(e.getName()).normalize();
                    if (!dest.startsWith(into)) {
                        throw new IOException("archive entry escapes the target directory: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(dest);
                        Files.setPosixFilePermissions(dest, DIR_MODE);
                    } else if (e.isSymbolicLink()) {
                        Files.createDirectories(dest.getParent());
                        Files.createSymbolicLink(dest, Path.of(e.getLinkName()));
                    } else {
                        Files.createDirectories(dest.getParent());
                        Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(dest, fileMode(e.getMode()));
                    }
                }
            }
        }
    }

    private static Set<PosixFilePermission> fileMode(int mode) {
        Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        if ((mode & 0111) != 0) {
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            perms.add(PosixFilePermission.GROUP_EXECUTE);
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return perms;
    }
}
