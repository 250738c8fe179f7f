package dev.cellar.server.cli;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Writes a file so that it is whole or absent, also after a crash: a temporary file beside it,
 * its content checked against the SHA-256 it should have, fsynced, renamed over the target, and
 * the directory fsynced. For {@code wal-get}, whose file recovery reads at once.
 */
final class DurableFile {
    private DurableFile() {
    }

    /**
     * @param expectedSha256 lower-case hex SHA-256 the content must have
     * @throws CellarException {@link ErrorCode#OBJECT_CORRUPT} when the content has another
     *                         checksum (nothing is left at {@code target} then)
     */
    static void write(InputStream content, Path target, String expectedSha256) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path temp = absolute.resolveSibling(absolute.getFileName() + ".cellar-tmp");
        MessageDigest digest = Sha256.newDigest();
        long size;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest);
            size = content.transferTo(out);
            out.flush();
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expectedSha256)) {
                throw new CellarException(ErrorCode.OBJECT_CORRUPT, "the " + size + " bytes received for "
                        + absolute.getFileName() + " have SHA-256 " + actual + ", not " + expectedSha256
                        + " as announced", "fetch it again; if it fails again, the stored object is damaged");
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // The rename itself must survive a crash: recovery may already have read the file.
        try (FileChannel directory = FileChannel.open(absolute.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
