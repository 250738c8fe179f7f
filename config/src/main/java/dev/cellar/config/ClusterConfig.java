package dev.cellar.config;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One PostgreSQL cluster to back up ({@code clusters[]}), with {@code defaults} already merged in:
 * {@link #compression()}, {@link #schedule()} and {@link #retention()} are what applies to it.
 *
 * @param name unique; also the cluster's directory name in the repository
 * @param password for the replication user; empty when the server needs none or a passfile is used
 * @param slot the physical replication slot Cellar streams WAL from
 * @param synchronous flush and confirm every message, so the server may list Cellar in
 *     {@code synchronous_standby_names} (RPO 0)
 * @param maxRate limit on backup transfer, bytes per second; empty for no limit
 * @param checkpoint how the checkpoint that starts a base backup runs
 * @param serverCompression what the server compresses backup data with before sending; empty for none
 * @param manifestChecksums the file checksums asked for in a base backup's manifest
 */
public record ClusterConfig(String name, Conninfo conninfo, Optional<Secret> password, String slot,
        boolean synchronous, BackupSource backupFrom, IncrementalFallback incrementalFallback,
        OptionalLong maxRate, CheckpointMode checkpoint, Optional<ServerCompression> serverCompression,
        ManifestChecksums manifestChecksums, Compression compression, Schedule schedule, Retention retention) {
    public ClusterConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(conninfo, "conninfo");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(backupFrom, "backupFrom");
        Objects.requireNonNull(incrementalFallback, "incrementalFallback");
        Objects.requireNonNull(maxRate, "maxRate");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(serverCompression, "serverCompression");
        Objects.requireNonNull(manifestChecksums, "manifestChecksums");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(retention, "retention");
    }
}
