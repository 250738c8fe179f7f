package dev.cellar.restore.export;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.BackupLabel;
import dev.cellar.core.backup.BackupManifest;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.IncrementalFileNames;
import dev.cellar.core.backup.ManifestChecksums;
import dev.cellar.core.backup.ManifestFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code backup_manifest} of a data directory combined from a chain, as pg_combinebackup writes
 * it: the newest backup's manifest (same version, system identifier, WAL ranges and file order),
 * with each {@code INCREMENTAL.<name>} entry replaced by {@code <name>} and the rebuilt file's size
 * and checksum, and {@code backup_label} with the size and checksum of the label written (without
 * its {@code INCREMENTAL} lines). Modification times stay as the newest manifest has them: the
 * restore gives the files those times too. Like the stored manifest written for a single backup, it
 * describes the backup as combined, before the export rewrites {@code postgresql.auto.conf} and
 * {@code tablespace_map} and adds its recovery files. Pure.
 */
final class CombinedManifest {

    /**
     * A rebuilt relation segment.
     *
     * @param path        the output's path relative to the data directory
     * @param size        its size
     * @param algorithm   the algorithm of {@code checksumHex}: the one the newest manifest uses for the file
     * @param checksumHex its checksum, as a manifest prints it
     */
    record Rebuilt(String path, long size, ChecksumAlgorithm algorithm, String checksumHex) {
        Rebuilt {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(algorithm, "algorithm");
            Objects.requireNonNull(checksumHex, "checksumHex");
        }
    }

    private CombinedManifest() {
    }

    /**
     * @param newest   the newest backup's manifest
     * @param backupId the newest backup's id, for messages
     * @param rebuilt  the rebuilt files by the path of their incremental file in the newest manifest
     * @param label    the {@code backup_label} written to the output
     * @throws CellarException {@link ErrorCode#OBJECT_CORRUPT} when the manifest and the rebuilt
     *     files disagree (an incremental file listed but not rebuilt, or the reverse), or the
     *     manifest has no backup_label
     */
    static BackupManifest of(BackupManifest newest, String backupId, Map<String, Rebuilt> rebuilt, byte[] label) {
        Map<String, Rebuilt> left = new HashMap<>(rebuilt);
        List<ManifestFile> files = new ArrayList<>(newest.files().size());
        boolean labelListed = false;
        for (ManifestFile file : newest.files()) {
            Rebuilt done = left.remove(file.path());
            if (done != null) {
                files.add(ManifestFile.of(done.path(), done.size(), file.lastModified(), done.algorithm(),
                        done.checksumHex()));
            } else if (IncrementalFileNames.isIncremental(file.path())) {
                throw disagree(backupId, "its manifest lists " + file.path() + ", which its file index does not hold");
            } else if (file.path().equals(BackupLabel.FILE_NAME)) {
                labelListed = true;
                files.add(ManifestFile.of(file.path(), label.length, file.lastModified(), file.algorithm(),
                        file.hasChecksum() ? ManifestChecksums.hex(file.algorithm(), label) : ""));
            } else {
                files.add(file);
            }
        }
        if (!left.isEmpty()) {
            throw disagree(backupId, "its file index holds " + left.keySet().iterator().next()
                    + (left.size() > 1 ? " (and " + (left.size() - 1) + " more incremental files)" : "")
                    + ", which its manifest does not list");
        }
        if (!labelListed) {
            throw disagree(backupId, "its manifest does not list backup_label");
        }
        return BackupManifest.of(newest.version(), newest.systemIdentifier(), files, newest.walRanges());
    }

    private static CellarException disagree(String backupId, String problem) {
        return new CellarException(ErrorCode.OBJECT_CORRUPT, "backup %s: %s".formatted(backupId, problem),
                "the backup's manifest and file index disagree: it was written by a faulty Cellar or edited;"
                        + " restore from another backup chain");
    }
}
