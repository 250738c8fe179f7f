package dev.cellar.storage.backup;

import java.util.Objects;

/**
 * One entry of a backup's file index: everything needed to recreate it, and where its content is.
 *
 * @param archive {@code base} or a tablespace OID
 * @param path    as in the archive, normalised (no leading {@code ./}, no trailing {@code /}),
 *                relative to the data directory ({@code base}) or to the tablespace directory
 * @param mode    permission bits as in the tar header ({@code mode & 07777})
 * @param mtime   modification time, seconds since the epoch
 * @param size    content bytes; 0 for directories and symbolic links
 * @param checksum the content's checksum for files, in the index's algorithm and printed as a
 *                backup manifest prints it (lower-case hex); null otherwise
 * @param target  the link target, for symbolic links; null otherwise
 * @param offset  for files: where the content starts in the archive's content stream (the
 *                concatenated content of the archive's files, cut into chunks); -1 otherwise
 */
public record BackupEntry(String archive, String path, EntryType type, int mode, long mtime, long size,
                          String checksum, String target, long offset) {
    public BackupEntry {
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        if (type == EntryType.FILE) {
            Objects.requireNonNull(checksum, "checksum");
            if (size < 0 || offset < 0) {
                throw new IllegalArgumentException(path + ": size and offset must not be negative");
            }
        } else if (size != 0 || offset != -1 || checksum != null) {
            throw new IllegalArgumentException(path + ": only files have content");
        }
        if ((type == EntryType.SYMLINK) != (target != null)) {
            throw new IllegalArgumentException(path + ": symbolic links and only they have a target");
        }
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException(path + ": mode out of range: " + Integer.toOctalString(mode));
        }
    }

    public boolean isFile() {
        return type == EntryType.FILE;
    }

    /** Where the content ends in the archive's content stream (files). */
    public long end() {
        return offset + size;
    }

    /**
     * The path as PostgreSQL's {@code backup_manifest} names it: relative to the data directory,
     * so tablespace files are {@code pg_tblspc/<oid>/<path>}.
     */
    public String manifestPath() {
        return archive.equals(ArchiveEntryPolicy.BASE) ? path : "pg_tblspc/" + archive + "/" + path;
    }
}
