package dev.cellar.storage.backup;

import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.repository.BackupInfo;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a finished {@link BackupWriter} stored, for {@code backup.json} and for comparing with
 * PostgreSQL's {@code backup_manifest}.
 *
 * @param objects     for {@link BackupInfo#objects()}: one {@code chunk} per chunk (with its
 *                    archive and sequence), archives in the order received, then the
 *                    {@code index} (archive null, sequence 0)
 * @param manifest    the {@code backup_manifest} object, when {@link BackupWriter#putManifest} was called
 * @param entries     every archive entry, archives in the order received, entries in stream order
 * @param logicalSize bytes of file content received (what the chunks hold uncompressed)
 * @param storedSize  bytes stored: chunks, index and manifest
 */
public record BackupContents(List<BackupInfo.BackupObject> objects, Optional<StoredObject> manifest,
                             List<BackupEntry> entries, long logicalSize, long storedSize) {
    public BackupContents {
        objects = List.copyOf(objects);
        Objects.requireNonNull(manifest, "manifest");
        entries = List.copyOf(entries);
    }

    /** The files among {@link #entries()}: archive, path, size and checksum to compare with the manifest. */
    public List<BackupEntry> files() {
        return entries.stream().filter(BackupEntry::isFile).toList();
    }
}
