package dev.cellar.storage.backup;

import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestChecksums;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An archive as a test sends it: the tar bytes (built with {@link TarBuilder}) and the entries a
 * backup of it must record, with their contents.
 */
final class SentArchive {
    /** What was sent for one entry; content for files. */
    record Sent(String path, EntryType type, int mode, long mtime, byte[] content, String target) {
    }

    final String name;
    private final TarBuilder tar = new TarBuilder();
    private final Map<String, Sent> entries = new LinkedHashMap<>();

    SentArchive(String name) {
        this.name = name;
    }

    SentArchive dir(String path, int mode, long mtime) {
        tar.dir(path, mode, mtime);
        entries.put(path, new Sent(path, EntryType.DIRECTORY, mode, mtime, null, null));
        return this;
    }

    SentArchive dir(String path) {
        return dir(path, 0700, TarBuilder.MTIME);
    }

    SentArchive file(String path, byte[] content, int mode, long mtime) {
        tar.file(path, content, mode, mtime);
        entries.put(path, new Sent(path, EntryType.FILE, mode, mtime, content, null));
        return this;
    }

    SentArchive file(String path, byte[] content) {
        return file(path, content, 0600, TarBuilder.MTIME + entries.size());
    }

    SentArchive symlink(String path, String target) {
        tar.symlink(path, target);
        entries.put(path, new Sent(path, EntryType.SYMLINK, 0777, TarBuilder.MTIME, null, target));
        return this;
    }

    byte[] finish() {
        return tar.finish();
    }

    List<Sent> entries() {
        return new ArrayList<>(entries.values());
    }

    long contentSize() {
        return entries.values().stream().filter(e -> e.content() != null).mapToLong(e -> e.content().length).sum();
    }

    /** The entries as the backup must record them (offsets: files one after the other). */
    List<BackupEntry> expected() {
        return expected(ChecksumAlgorithm.SHA256);
    }

    List<BackupEntry> expected(ChecksumAlgorithm algorithm) {
        List<BackupEntry> result = new ArrayList<>();
        long offset = 0;
        for (Sent e : entries.values()) {
            if (e.type() == EntryType.FILE) {
                result.add(new BackupEntry(name, e.path(), EntryType.FILE, e.mode(), e.mtime(), e.content().length,
                        ManifestChecksums.hex(algorithm, e.content()), null, offset));
                offset += e.content().length;
            } else {
                result.add(new BackupEntry(name, e.path(), e.type(), e.mode(), e.mtime(), 0, null, e.target(), -1));
            }
        }
        return result;
    }
}
