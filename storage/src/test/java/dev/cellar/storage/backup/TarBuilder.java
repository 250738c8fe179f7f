package dev.cellar.storage.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds tar streams shaped like PostgreSQL's (ustar, directories and links with a trailing
 * {@code /}, permission bits only in the mode) with commons-compress's writer, which adds pax
 * headers for names longer than 100 bytes.
 */
final class TarBuilder {
    static final long MTIME = 1_763_705_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    TarBuilder() {
        tar = new TarArchiveOutputStream(bytes, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    TarBuilder dir(String name, int mode, long mtime) {
        TarArchiveEntry entry = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
        return put(entry, mode, mtime, new byte[0]);
    }

    TarBuilder dir(String name) {
        return dir(name, 0700, MTIME);
    }

    TarBuilder file(String name, byte[] content, int mode, long mtime) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        return put(entry, mode, mtime, content);
    }

    TarBuilder file(String name, byte[] content) {
        return file(name, content, 0600, MTIME);
    }

    TarBuilder symlink(String name, String target) {
        TarArchiveEntry entry = new TarArchiveEntry(name + "/", TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        return put(entry, 0777, MTIME, new byte[0]);
    }

    TarBuilder put(TarArchiveEntry entry, int mode, long mtime, byte[] content) {
        try {
            entry.setMode(mode);
            entry.setLastModifiedTime(FileTime.from(Instant.ofEpochSecond(mtime)));
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The archive, with its end-of-archive marker (and commons-compress's zero padding). */
    byte[] finish() {
        try {
            tar.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
