package dev.cellar.storage.repository;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.storage.codec.StoredObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * {@code clusters/<cluster>/backups/<id>/backup.json}: everything a restore needs to know about one
 * base backup, and its commit marker: it is written last, after every object it lists, so a backup
 * without it is incomplete and never offered for restore.
 *
 * @param parent         the backup an incremental builds on; null for a full backup
 * @param checkpointLsn  the backup's checkpoint (from backup_label)
 * @param startLsn       where WAL replay must start (START WAL LOCATION)
 * @param endLsn         the consistency point: replay must reach it before the backup is usable
 * @param manifest       PostgreSQL's backup_manifest, as received
 * @param objects        every other stored object of the backup (archive chunks, file index)
 * @param logicalSize    bytes of the data directory as sent by the server
 * @param storedSize     bytes stored, after compression
 */
@JsonPropertyOrder({"format", "id", "cluster", "kind", "parent", "label", "systemIdentifier", "serverVersionNum",
        "backupFrom", "startTimeline", "startLsn", "checkpointLsn", "endTimeline", "endLsn", "startTime", "endTime",
        "tablespaces", "databases", "manifest", "objects", "logicalSize", "storedSize"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupInfo(int format, String id, String cluster, Kind kind, String parent, String label,
                         String systemIdentifier, int serverVersionNum, Source backupFrom,
                         TimelineId startTimeline, Lsn startLsn, Lsn checkpointLsn,
                         TimelineId endTimeline, Lsn endLsn, Instant startTime, Instant endTime,
                         List<Tablespace> tablespaces, List<Database> databases,
                         StoredObject manifest, List<BackupObject> objects, long logicalSize, long storedSize) {

    public BackupInfo {
        RepositoryLayout.checkBackupId(id);
        RepositoryLayout.checkClusterName(cluster);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(startLsn, "startLsn");
        Objects.requireNonNull(endLsn, "endLsn");
        Objects.requireNonNull(startTimeline, "startTimeline");
        Objects.requireNonNull(endTimeline, "endTimeline");
        Objects.requireNonNull(manifest, "manifest");
        if ((kind == Kind.INCREMENTAL) != (parent != null)) {
            throw new IllegalArgumentException("backup " + id + ": an incremental backup needs a parent, a full one has none");
        }
        if (endLsn.isBefore(startLsn)) {
            throw new IllegalArgumentException("backup " + id + ": end " + endLsn + " before start " + startLsn);
        }
        tablespaces = List.copyOf(tablespaces);
        databases = List.copyOf(databases);
        objects = List.copyOf(objects);
    }

    public enum Kind { FULL, INCREMENTAL }

    public enum Source { PRIMARY, STANDBY }

    /** A tablespace of the source cluster: its OID, name and location there. */
    public record Tablespace(long oid, String name, String location) {
    }

    /** A database present when the backup was taken. */
    public record Database(long oid, String name) {
    }

    /**
     * A stored object of the backup and what it holds.
     *
     * @param role    {@code chunk} (part of an archive stream), {@code index} (file index), …
     * @param archive the archive it belongs to: {@code base} or a tablespace OID; null otherwise
     * @param sequence order within the archive
     */
    public record BackupObject(String role, String archive, int sequence, StoredObject object) {
        public BackupObject {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(object, "object");
        }
    }
}
