package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    /** Every key the schema knows, with values other than the defaults. */
    static final String FULL_CONFIG = """
            repository:
              path: /var/lib/cellar
            server:
              listen: "[::1]:9000"
              token_file: /run/secrets/cellar_token
              tls:
                certificate_file: /etc/cellar/tls/cert.pem
                key_file: /etc/cellar/tls/key.pem
            defaults:
              compression: zstd:5
              schedule:
                full: "0 0 3 ? * SUN"
                incremental: "0 0 * * * ?"
                verify: "0 30 4 * * ?"
              retention:
                recovery_window: 7d
                keep_daily: 10
                keep_weekly: 4
                keep_monthly: 6
                min_full: 3
            offsite:
              s3:
                bucket: backups
                prefix: cellar/
                endpoint: https://s3.example.net
                region: eu-west-1
                access_key_id: ${S3_KEY_ID}
                secret_access_key_file: /run/secrets/s3_secret
                path_style: true
            clusters:
              - name: c1
                conninfo: host=pg1,pg2 port=5432 user=backup target_session_attrs=read-write sslmode=verify-full
                password_file: /run/secrets/c1_backup_password
                slot: cellar
                synchronous: false
              - name: orders-eu
                conninfo: "postgresql://backup@db1:5433,db2:5434/postgres?sslmode=require"
                password: ${ORDERS_PASSWORD:-fallback-password}
                synchronous: true
                backup_from: standby
                incremental_fallback: fail
                max_rate: 100MB/s
                checkpoint: fast
                server_compression: zstd:level=3,workers=2
                manifest_checksums: sha256
                compression: { method: zstd, level: 9, workers: 4 }
                schedule:
                  incremental: off
                  verify: null
                retention:
                  keep_daily: 30
            """;

    static final SecretSource SECRETS = SecretSource.of(
            Map.of("S3_KEY_ID", "AKIAEXAMPLEKEYID"),
            Map.of(Path.of("/run/secrets/cellar_token"), "token-0123456789\n",
                    Path.of("/run/secrets/s3_secret"), "s3-secret-key\r\n",
                    Path.of("/run/secrets/c1_backup_password"), "c1-password\n"));

    @Test
    void bindsEveryKeyOfAFullConfiguration() {
        CellarConfig config = ConfigLoader.parse(FULL_CONFIG, "cellar.yaml", SECRETS);

        Schedule schedule = new Schedule(Optional.of("0 0 3 ? * SUN"), Optional.of("0 0 * * * ?"),
                Optional.of("0 30 4 * * ?"));
        Retention retention = new Retention(Duration.ofDays(7), 10, 4, 6, 3);
        Compression zstd5 = new Compression(Compression.Codec.ZSTD, 5, 0);
        assertThat(config).isEqualTo(new CellarConfig(
                new RepositorySettings(Path.of("/var/lib/cellar")),
                new ServerSettings(new ListenAddress("::1", 9000), Optional.of(new TlsSettings(
                        Path.of("/etc/cellar/tls/cert.pem"), Path.of("/etc/cellar/tls/key.pem"))),
                        Optional.of(Secret.of("token-0123456789")), 2),
                new Defaults(zstd5, schedule, retention),
                Optional.of(new OffsiteSettings(new S3Settings("backups", "cellar/",
                        Optional.of(URI.create("https://s3.example.net")), Optional.of("eu-west-1"),
                        Optional.of(Secret.of("AKIAEXAMPLEKEYID")), Optional.of(Secret.of("s3-secret-key")), true))),
                List.of(
                        new ClusterConfig("c1", Conninfo.parse("host=pg1,pg2 port=5432 user=backup"
                                + " target_session_attrs=read-write sslmode=verify-full"),
                                Optional.of(Secret.of("c1-password")), "cellar", false, BackupSource.PRIMARY,
                                IncrementalFallback.FULL, OptionalLong.empty(), CheckpointMode.SPREAD, Optional.empty(),
                                ManifestChecksums.CRC32C, zstd5,
                                schedule, retention),
                        new ClusterConfig("orders-eu", Conninfo.parse("user=backup host=db1,db2 port=5433,5434"
                                + " dbname=postgres sslmode=require"),
                                Optional.of(Secret.of("fallback-password")), "cellar_orders_eu", true,
                                BackupSource.STANDBY, IncrementalFallback.FAIL, OptionalLong.of(100L << 20), CheckpointMode.FAST,
                                Optional.of(new ServerCompression("zstd", "level=3,workers=2")),
                                ManifestChecksums.SHA256, new Compression(Compression.Codec.ZSTD, 9, 4),
                                new Schedule(Optional.of("0 0 3 ? * SUN"), Optional.empty(), Optional.empty()),
                                new Retention(Duration.ofDays(7), 30, 4, 6, 3)))));
        assertThat(config.cluster("c1").orElseThrow().conninfo().hosts())
                .containsExactly(new HostPort("pg1", Optional.empty(), 5432), new HostPort("pg2", Optional.empty(), 5432));
    }

    @Test
    void appliesDeclaredDefaultsToAMinimalConfiguration() {
        CellarConfig config = ConfigLoader.parse("repository: {path: /srv/cellar}\n", "cellar.yaml", SECRETS);

        assertThat(config.server()).isEqualTo(new ServerSettings(new ListenAddress("127.0.0.1", 8432), Optional.empty(),
                Optional.empty(), 2));
        assertThat(config.defaults()).isEqualTo(new Defaults(new Compression(Compression.Codec.ZSTD, 3, 0),
                new Schedule(Optional.of("0 0 3 ? * SUN"), Optional.of("0 0 3 ? * MON-SAT"), Optional.of("0 30 4 * * ?")),
                new Retention(Duration.ofDays(14), 14, 6, 12, 2)));
        assertThat(config.offsite()).isEmpty();
        assertThat(config.clusters()).isEmpty();
    }

    @Test
    void acceptsAnEmptyClusterList() {
        assertThat(ConfigLoader.parse("repository: {path: /srv/cellar}\nclusters: []\n", "c", SECRETS).clusters())
                .isEmpty();
        assertThat(ConfigLoader.parse("repository: {path: /srv/cellar}\nclusters:\n", "c", SECRETS).clusters())
                .isEmpty();
    }

    @Test
    void clusterInheritsDefaultsKeyByKey() {
        String yaml = """
                repository: {path: /srv/cellar}
                defaults:
                  compression: none
                  schedule: {full: "0 0 2 * * ?", verify: "0 0 5 * * ?"}
                clusters:
                  - name: a
                    conninfo: host=pg1
                    schedule: {verify: off}
                """;

        ClusterConfig cluster = ConfigLoader.parse(yaml, "c", SECRETS).clusters().getFirst();

        assertThat(cluster.compression()).isEqualTo(Compression.NONE);
        // full and verify come from defaults (verify then turned off by the cluster), incremental
        // from the built-in default because neither level names it.
        assertThat(cluster.schedule()).isEqualTo(new Schedule(Optional.of("0 0 2 * * ?"),
                Optional.of("0 0 3 ? * MON-SAT"), Optional.empty()));
        assertThat(cluster.retention()).isEqualTo(new Retention(Duration.ofDays(14), 14, 6, 12, 2));
    }

    @Test
    void interpolatesEnvironmentVariablesWithDefaultsAndEscapes() {
        String yaml = """
                repository: {path: "${CELLAR_HOME:-/srv}/cellar"}
                clusters:
                  - name: a
                    conninfo: host=${PGHOST} application_name='$${literal}'
                    max_rate: ${RATE:-1MiB}
                """;
        SecretSource secrets = SecretSource.of(Map.of("PGHOST", "db.internal", "RATE", ""), Map.of());

        CellarConfig config = ConfigLoader.parse(yaml, "c", secrets);

        assertThat(config.repository().path()).isEqualTo(Path.of("/srv/cellar"));
        ClusterConfig cluster = config.clusters().getFirst();
        assertThat(cluster.conninfo().hosts().getFirst().host()).isEqualTo("db.internal");
        assertThat(cluster.conninfo().applicationName()).contains("${literal}");
        assertThat(cluster.maxRate()).hasValue(1L << 20);
    }

    @Test
    void loadsAFileAndResolvesRelativeSecretFilesAgainstItsDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("c1.password"), "from-file\n");
        Path file = dir.resolve("cellar.yaml");
        Files.writeString(file, """
                repository: {path: /srv/cellar}
                clusters:
                  - name: c1
                    conninfo: host=pg1
                    password_file: c1.password
                """);

        CellarConfig config = ConfigLoader.load(file);

        assertThat(config.clusters().getFirst().password()).contains(Secret.of("from-file"));
    }

    @Test
    void resolvesRelativeTlsFilesAgainstTheConfigurationsDirectoryWithoutReadingThem(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("cellar.yaml");
        Files.writeString(file, """
                repository: {path: /srv/cellar}
                server:
                  tls: {certificate_file: tls/cert.pem, key_file: /etc/cellar/key.pem}
                """);

        CellarConfig config = ConfigLoader.load(file);

        // Neither file exists: the server reads them when it starts, where a problem stops it.
        assertThat(config.server().tls()).contains(new TlsSettings(dir.resolve("tls/cert.pem"),
                Path.of("/etc/cellar/key.pem")));
    }

    @Test
    void aMissingFileIsAProblemWithoutALine(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": cannot read the configuration file: no such file");
    }
}
