package dev.cellar.walreceiver.stream;

import dev.cellar.storage.codec.Codec;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How one cluster's WAL is received. The server maps a cluster's configuration to this record; the
 * receiver reads no configuration itself.
 *
 * @param cluster        Cellar's name of the cluster
 * @param connection     where and how to connect (several hosts are tried in order)
 * @param slot           the physical replication slot, created if missing
 * @param synchronous    fsync and report after every WAL message (RPO 0: the receiver can be named
 *                       in {@code synchronous_standby_names} by its application_name)
 * @param fsyncInterval  otherwise, fsync at least this often while WAL arrives
 * @param fsyncBytes     … and whenever this many bytes are unsynced
 * @param statusInterval send a standby status update at least this often (the server drops a
 *                       receiver silent for {@code wal_sender_timeout}, 60 s by default)
 * @param spool          the cluster's spool directory for the segment being received
 * @param codec          how finished segments are stored
 */
public record WalStreamSettings(String cluster, ReplicationConnectionSettings connection, String slot,
                                boolean synchronous, Duration fsyncInterval, long fsyncBytes,
                                Duration statusInterval, Path spool, Codec codec) {
    public WalStreamSettings {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        Objects.requireNonNull(statusInterval, "statusInterval");
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(codec, "codec");
        if (fsyncInterval.isNegative() || fsyncInterval.isZero() || statusInterval.isNegative()
                || statusInterval.isZero() || fsyncBytes < 1) {
            throw new IllegalArgumentException("cluster " + cluster + ": fsync and status intervals and fsync bytes "
                    + "must be positive");
        }
    }

    /** Defaults a DBA would expect: fsync every second or 16 MiB, status every 10 s. */
    public static WalStreamSettings of(String cluster, ReplicationConnectionSettings connection, String slot,
                                       boolean synchronous, Path spool, Codec codec) {
        return new WalStreamSettings(cluster, connection, slot, synchronous, Duration.ofSeconds(1), 16L << 20,
                Duration.ofSeconds(10), spool, codec);
    }
}
