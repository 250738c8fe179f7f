package dev.cellar.server.wiring;

import dev.cellar.config.ClusterConfig;
import dev.cellar.config.Compression;
import dev.cellar.config.Conninfo;
import dev.cellar.config.HostPort;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.storage.codec.Codec;
import dev.cellar.walreceiver.backup.BackupFrom;
import dev.cellar.walreceiver.backup.BaseBackupOptions;
import dev.cellar.walreceiver.backup.CheckpointMode;
import dev.cellar.walreceiver.backup.ServerCompression;
import dev.cellar.walreceiver.connection.ChannelBinding;
import dev.cellar.walreceiver.connection.Endpoint;
import dev.cellar.walreceiver.connection.PasswordSource;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.SslMode;
import dev.cellar.walreceiver.connection.TargetSessionAttrs;
import dev.cellar.walreceiver.stream.WalStreamSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns one cluster's configuration into the plain settings the lower modules take (DESIGN.md §2:
 * only the server reads configuration): the replication connection, the WAL stream, base backup
 * options, the storage codec. Pure; every refusal names the cluster and the key.
 */
public final class ClusterWiring {
    /** libpq's default when {@code connect_timeout} is absent is to wait forever; a daemon should not. */
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private ClusterWiring() {
    }

    /** The replication connection of {@code cluster}: its conninfo, password and {@code application_name}. */
    public static ReplicationConnectionSettings connection(ClusterConfig cluster) {
        Conninfo conninfo = cluster.conninfo();
        List<Endpoint> endpoints = new ArrayList<>();
        for (HostPort host : conninfo.hosts()) {
            if (host.isUnixSocket()) {
                throw invalid(cluster, "host=" + host.host() + " is a Unix-socket directory; Cellar connects over TCP",
                        "use host=127.0.0.1 (or the server's address) and allow it in pg_hba.conf");
            }
            if (host.hostaddr().isPresent()) {
                throw invalid(cluster, "hostaddr is not supported by Cellar's replication client",
                        "give the address as host (certificates are then verified against it)");
            }
            endpoints.add(new Endpoint(host.host(), host.port()));
        }
        String user = conninfo.user().orElseThrow(() -> invalid(cluster, "the conninfo names no user",
                "add user=<a role with the REPLICATION attribute> to conninfo"));
        PasswordSource password = cluster.password()
                .map(secret -> PasswordSource.of(secret.reveal().toCharArray()))
                .orElse(PasswordSource.none());
        ReplicationConnectionSettings.Builder builder = ReplicationConnectionSettings.builder(user)
                .endpoints(endpoints)
                .password(password)
                .applicationName(conninfo.applicationName().orElse("cellar_" + cluster.name().replace('-', '_')))
                .targetSessionAttrs(TargetSessionAttrs.valueOf(conninfo.targetSessionAttrs().name()))
                .connectTimeout(conninfo.connectTimeout().orElse(DEFAULT_CONNECT_TIMEOUT))
                .sslMode(SslMode.valueOf(conninfo.sslMode().name()));
        conninfo.sslRootCert().map(Path::of).ifPresent(builder::rootCertificate);
        Optional<String> cert = conninfo.get("sslcert");
        Optional<String> key = conninfo.get("sslkey");
        if (cert.isPresent() || key.isPresent()) {
            builder.clientCertificate(Path.of(cert.orElseThrow(() -> invalid(cluster, "sslkey without sslcert",
                    "give both sslcert and sslkey"))), Path.of(key.orElseThrow(() -> invalid(cluster,
                    "sslcert without sslkey", "give both sslcert and sslkey"))));
        }
        conninfo.get("channel_binding").ifPresent(value -> builder.channelBinding(
                ChannelBinding.valueOf(value.toUpperCase(Locale.ROOT))));
        try {
            return builder.build();
        } catch (CellarException e) {
            throw invalid(cluster, e.getMessage(), e.hint().orElse("fix the cluster's conninfo"));
        }
    }

    /** How WAL and backups of {@code cluster} are stored. */
    public static Codec codec(ClusterConfig cluster) {
        Compression compression = cluster.compression();
        return switch (compression.codec()) {
            case NONE -> Codec.NONE;
            case ZSTD -> new Codec.Zstd(compression.level(), compression.workers());
        };
    }

    /** The WAL stream of {@code cluster}, spooling under {@code spoolRoot/<cluster>}. */
    public static WalStreamSettings walStream(ClusterConfig cluster, Path spoolRoot) {
        return WalStreamSettings.of(cluster.name(), connection(cluster), cluster.slot(), cluster.synchronous(),
                spoolRoot.resolve(cluster.name()), codec(cluster));
    }

    /** The BASE_BACKUP options of {@code cluster}, labelled {@code label}. */
    public static BaseBackupOptions backupOptions(ClusterConfig cluster, String label) {
        OptionalInt rate = cluster.maxRate().isPresent()
                ? BaseBackupOptions.kbPerSecond(cluster.maxRate().getAsLong()) : OptionalInt.empty();
        Optional<ServerCompression> serverCompression = cluster.serverCompression().map(c -> new ServerCompression(
                ServerCompression.Algorithm.valueOf(c.algorithm().toUpperCase(Locale.ROOT)), c.detail()));
        return BaseBackupOptions.full(label)
                .withCheckpoint(CheckpointMode.valueOf(cluster.checkpoint().name()))
                .withMaxRate(rate)
                .withServerCompression(serverCompression)
                .withManifestChecksums(ChecksumAlgorithm.parse(cluster.manifestChecksums().name()));
    }

    /** Which server base backups come from. */
    public static BackupFrom backupFrom(ClusterConfig cluster) {
        return BackupFrom.valueOf(cluster.backupFrom().name());
    }

    /** Whether an impossible incremental backup falls back to a full one. */
    public static boolean fallbackToFull(ClusterConfig cluster) {
        return cluster.incrementalFallback() == dev.cellar.config.IncrementalFallback.FULL;
    }

    private static CellarException invalid(ClusterConfig cluster, String problem, String hint) {
        return new CellarException(ErrorCode.CONFIG_INVALID, "cluster \"%s\": %s".formatted(cluster.name(), problem),
                hint);
    }
}
