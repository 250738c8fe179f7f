package dev.cellar.catalog;

import java.util.Objects;

/**
 * What one cluster occupies in the repository, as catalogued: counts and byte totals of its WAL
 * segments (complete and partial) and of its backups (every status, since failed and incomplete
 * backups hold space until they are removed).
 *
 * <p>Immutable and thread-safe. No component is {@code null}.
 *
 * @param cluster            the cluster's name
 * @param walSegments        catalogued WAL files, complete and partial
 * @param walLogicalBytes    their uncompressed size
 * @param walStoredBytes     their size as stored (compressed)
 * @param backups            catalogued backups of any status
 * @param backupLogicalBytes their uncompressed size
 * @param backupStoredBytes  their size as stored
 */
public record ClusterSizes(String cluster, long walSegments, long walLogicalBytes, long walStoredBytes,
                           long backups, long backupLogicalBytes, long backupStoredBytes) {
    public ClusterSizes {
        Objects.requireNonNull(cluster, "cluster");
    }
}
