package dev.cellar.walreceiver.backup;

import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.repository.BackupInfo;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import java.util.Objects;
import java.util.Optional;

/**
 * One base backup to take.
 *
 * @param connection how to reach the cluster; its target session attributes are replaced by
 *                  what {@code from} needs
 * @param options   BASE_BACKUP options; {@code incremental} there is ignored: {@code parent} decides
 * @param parent    the backup to build an incremental one on (PostgreSQL 17+); empty for a full backup
 * @param fallbackToFull when an incremental backup is impossible: take a full one (true) or fail
 */
public record BackupRequest(String cluster, ReplicationConnectionSettings connection, BackupFrom from,
                            BaseBackupOptions options, Codec codec, BackupWriterSettings writer,
                            Optional<BackupInfo> parent, boolean fallbackToFull) {
    public BackupRequest {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(parent, "parent");
        parent.ifPresent(p -> {
            if (!p.cluster().equals(cluster)) {
                throw new IllegalArgumentException("backup " + p.id() + " of cluster " + p.cluster()
                        + " cannot be the parent of a backup of " + cluster);
            }
        });
    }
}
