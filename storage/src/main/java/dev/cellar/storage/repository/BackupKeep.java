package dev.cellar.storage.repository;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code clusters/<cluster>/backups/<id>/keep.json}: a person asked retention to keep this backup,
 * until a date or for ever ({@code backupctl keep}). Kept beside the backup rather than only in the
 * catalog, so a catalog rebuilt from the repository (or from the offsite copy) still honours it.
 * Absent when nobody asked; releasing the keep deletes the file.
 *
 * @param until   kept at least until then; {@code null} exactly when {@code forever} (the JSON
 *                document has no optional values)
 * @param forever never removed by retention
 * @param keptAt  when the keep was recorded
 */
@JsonPropertyOrder({"format", "cluster", "backupId", "until", "forever", "keptAt"})
public record BackupKeep(int format, String cluster, String backupId, Instant until, boolean forever,
                         Instant keptAt) {
    public BackupKeep {
        RepositoryLayout.checkClusterName(cluster);
        RepositoryLayout.checkBackupId(backupId);
        Objects.requireNonNull(keptAt, "keptAt");
        if (forever == (until != null)) {
            throw new IllegalArgumentException("keep of backup " + backupId + " needs either a date or forever");
        }
    }

    /** The date it is kept until, unless it is kept for ever. */
    public Optional<Instant> untilDate() {
        return Optional.ofNullable(until);
    }

    public static BackupKeep until(String cluster, String backupId, Instant until, Instant keptAt) {
        return new BackupKeep(ChecksummedDocument.FORMAT, cluster, backupId, until, false, keptAt);
    }

    public static BackupKeep forever(String cluster, String backupId, Instant keptAt) {
        return new BackupKeep(ChecksummedDocument.FORMAT, cluster, backupId, null, true, keptAt);
    }
}
