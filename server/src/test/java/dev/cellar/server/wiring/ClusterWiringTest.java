package dev.cellar.server.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.config.CellarConfig;
import dev.cellar.config.ClusterConfig;
import dev.cellar.config.ConfigLoader;
import dev.cellar.config.SecretSource;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.codec.Codec;
import dev.cellar.walreceiver.backup.BackupFrom;
import dev.cellar.walreceiver.connection.Endpoint;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.SslMode;
import dev.cellar.walreceiver.connection.TargetSessionAttrs;
import dev.cellar.walreceiver.stream.WalStreamSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterWiringTest {
    static ClusterConfig cluster(String clusterYaml) {
        CellarConfig config = ConfigLoader.parse("""
                repository:
                  path: /var/lib/cellar
                clusters:
                """ + clusterYaml.indent(2), "cellar.yaml",
                SecretSource.of(Map.of(), Map.of(Path.of("/run/secrets/pw"), "s3cret\n")));
        return config.clusters().getFirst();
    }

    @Test
    void aMultiHostConninfoBecomesTheReplicationConnection() {
        ClusterConfig c1 = cluster("""
                - name: orders-eu
                  conninfo: host=db1,db2 port=5433,5434 user=backup target_session_attrs=read-write sslmode=require
                  password_file: /run/secrets/pw
                """);
        ReplicationConnectionSettings connection = ClusterWiring.connection(c1);
        assertThat(connection.endpoints()).containsExactly(new Endpoint("db1", 5433), new Endpoint("db2", 5434));
        assertThat(connection.user()).isEqualTo("backup");
        assertThat(connection.password().password()).hasValueSatisfying(p -> assertThat(new String(p)).isEqualTo("s3cret"));
        assertThat(connection.applicationName()).contains("cellar_orders_eu");
        assertThat(connection.targetSessionAttrs()).isEqualTo(TargetSessionAttrs.READ_WRITE);
        assertThat(connection.sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(connection.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(connection.toString()).doesNotContain("s3cret");

        WalStreamSettings stream = ClusterWiring.walStream(c1, Path.of("/var/lib/cellar/spool"));
        assertThat(stream.slot()).isEqualTo("cellar_orders_eu");
        assertThat(stream.spool()).isEqualTo(Path.of("/var/lib/cellar/spool/orders-eu"));
    }

    @Test
    void backupSettingsFollowTheClustersKeys() {
        ClusterConfig c1 = cluster("""
                - name: c1
                  conninfo: host=db1 user=backup application_name=cellar_main connect_timeout=3
                  backup_from: standby
                  incremental_fallback: fail
                  max_rate: 100MB
                  checkpoint: fast
                  server_compression: zstd:level=3,workers=2
                  manifest_checksums: sha256
                  compression: { method: zstd, level: 9, workers: 4 }
                """);
        assertThat(ClusterWiring.connection(c1).applicationName()).contains("cellar_main");
        assertThat(ClusterWiring.connection(c1).connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(ClusterWiring.backupOptions(c1, "nightly").command()).isEqualTo("BASE_BACKUP (LABEL 'nightly',"
                + " PROGRESS, CHECKPOINT 'fast', WAIT false, MANIFEST 'yes', MANIFEST_CHECKSUMS 'SHA256',"
                + " TABLESPACE_MAP, TARGET 'client', MAX_RATE 102400, COMPRESSION 'zstd',"
                + " COMPRESSION_DETAIL 'level=3,workers=2')");
        assertThat(ClusterWiring.backupFrom(c1)).isEqualTo(BackupFrom.STANDBY);
        assertThat(ClusterWiring.fallbackToFull(c1)).isFalse();
        assertThat(ClusterWiring.codec(c1)).isEqualTo(new Codec.Zstd(9, 4));

        ClusterConfig defaults = cluster("""
                - name: c2
                  conninfo: host=db1 user=backup
                """);
        assertThat(ClusterWiring.backupOptions(defaults, "x").command()).contains("CHECKPOINT 'spread'",
                "MANIFEST_CHECKSUMS 'CRC32C'").doesNotContain("MAX_RATE", "COMPRESSION");
        assertThat(ClusterWiring.fallbackToFull(defaults)).isTrue();
        assertThat(ClusterWiring.backupFrom(defaults)).isEqualTo(BackupFrom.PRIMARY);
    }

    @Test
    void whatTheReplicationClientCannotDoIsRefusedNamingTheCluster() {
        assertThatThrownBy(() -> ClusterWiring.connection(cluster("""
                - name: c1
                  conninfo: host=/var/run/postgresql user=backup
                """))).isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
                    assertThat(e.getMessage()).isEqualTo("cluster \"c1\": host=/var/run/postgresql is a Unix-socket"
                            + " directory; Cellar connects over TCP");
                });
        assertThatThrownBy(() -> ClusterWiring.connection(cluster("""
                - name: c1
                  conninfo: host=db1 sslmode=verify-full user=backup
                """))).hasMessageContaining("cluster \"c1\": invalid replication connection settings: sslmode=verify-full needs a root certificate");
    }
}
