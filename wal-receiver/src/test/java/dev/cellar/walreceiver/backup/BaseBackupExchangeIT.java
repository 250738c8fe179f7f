package dev.cellar.walreceiver.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.ReplicationConnector;
import dev.cellar.walreceiver.connection.ServerErrorException;
import dev.cellar.walreceiver.connection.TargetSessionAttrs;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The BASE_BACKUP exchange against real servers: the message sequence as each major sends it,
 * with raw archives captured whole (the storage of archives is tested in storage and in
 * {@code BaseBackupRunnerIT}).
 */
class BaseBackupExchangeIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    static List<Integer> majors() {
        return PgMajors.selected();
    }

    static ReplicationConnectionSettings settings(PgServer server) {
        return ReplicationConnectionSettings.builder(TestCredentials.SCRAM_USER)
                .password(() -> Optional.of(TestCredentials.SCRAM_PASSWORD.toCharArray()))
                .connectTimeout(Duration.ofSeconds(5))
                .targetSessionAttrs(TargetSessionAttrs.ANY)
                .endpoint(server.host(), server.port())
                .build();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void streamsTheMainArchiveATablespaceArchiveAndTheManifest(int major) {
        PgServer server = PG.start(major);
        PG.createTablespace(server, "extra");
        server.execute("CREATE TABLE in_extra (id int) TABLESPACE extra", "INSERT INTO in_extra SELECT generate_series(1, 1000)");
        Lsn before = server.currentLsn();

        Capture capture = new Capture();
        BaseBackupResult result;
        try (ReplicationConnection connection = ReplicationConnector.connect(settings(server))) {
            result = BaseBackupExchange.run(connection, BaseBackupOptions.full("exchange test"), capture);
            assertThat(connection.isIdle()).isTrue();
        }

        assertThat(result.start().startLsn()).isGreaterThanOrEqualTo(before);
        assertThat(result.endLsn()).isGreaterThan(result.start().startLsn());
        assertThat(result.start().tablespaces()).hasSize(2);
        assertThat(result.start().tablespaces().getLast().isMainDirectory()).isTrue();
        assertThat(result.start().estimatedBytes()).isPresent();
        long oid = result.start().tablespaces().getFirst().oid().orElseThrow();
        assertThat(capture.archives.keySet()).containsExactly(oid + ".tar", "base.tar");
        assertThat(capture.tablespacePaths.get(oid + ".tar")).isEqualTo(result.start().tablespaces().getFirst().location());
        assertThat(capture.started).isNotNull();
        assertThat(capture.ended).isEqualTo(2);
        String manifest = capture.manifest.toString(StandardCharsets.UTF_8);
        assertThat(manifest).startsWith("{ \"PostgreSQL-Backup-Manifest-Version\": " + (major >= 17 ? 2 : 1));
        assertThat(manifest).contains("\"Checksum-Algorithm\": \"CRC32C\"", "\"Path\": \"backup_label\"", "\"Path\": \"tablespace_map\"");
        assertThat(capture.lastProgress).isPositive();
        // A tar ends with two zero blocks; base.tar starts with backup_label.
        byte[] base = capture.archives.get("base.tar").toByteArray();
        assertThat(base.length % 512).isZero();
        assertThat(new String(base, 0, 12, StandardCharsets.US_ASCII)).isEqualTo("backup_label");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void anIncrementalWithoutUploadedManifestIsRefusedAndTheConnectionStaysUsable(int major) {
        PgServer server = PG.start(major);
        try (ReplicationConnection connection = ReplicationConnector.connect(settings(server))) {
            assertThatThrownBy(() -> BaseBackupExchange.run(connection,
                    BaseBackupOptions.full("no manifest").withIncremental(true), new Capture()))
                    .isInstanceOf(ServerErrorException.class)
                    .hasMessageContaining(major >= 17 ? "UPLOAD_MANIFEST" : "unrecognized base backup option: \"incremental\"");
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void aSinkFailureAbortsTheBackupAndTheServerAcceptsANewOne(int major) {
        PgServer server = PG.start(major);
        try (ReplicationConnection connection = ReplicationConnector.connect(settings(server))) {
            assertThatThrownBy(() -> BaseBackupExchange.run(connection, BaseBackupOptions.full("failing sink"),
                    new Capture() {
                        @Override
                        public void archiveData(ByteBuffer bytes) {
                            throw new IllegalStateException("disk full");
                        }
                    })).hasMessage("disk full");
            assertThat(connection.isClosed()).isTrue();
        }
        try (ReplicationConnection connection = ReplicationConnector.connect(settings(server))) {
            BaseBackupResult again = BaseBackupExchange.run(connection, BaseBackupOptions.full("after abort"), new Capture());
            assertThat(again.endLsn()).isNotNull();
        }
        assertThat(ErrorCode.BACKUP_FAILED).isNotNull();
    }

    static class Capture implements BaseBackupSink {
        final Map<String, ByteArrayOutputStream> archives = new LinkedHashMap<>();
        final Map<String, String> tablespacePaths = new LinkedHashMap<>();
        final ByteArrayOutputStream manifest = new ByteArrayOutputStream();
        final List<String> order = new ArrayList<>();
        BaseBackupStart started;
        ByteArrayOutputStream current;
        int ended;
        long lastProgress;

        @Override
        public void started(BaseBackupStart start) {
            started = start;
        }

        @Override
        public void archiveStarted(String name, String tablespacePath) {
            current = new ByteArrayOutputStream();
            archives.put(name, current);
            tablespacePaths.put(name, tablespacePath);
            order.add(name);
        }

        @Override
        public void archiveData(ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            current.writeBytes(copy);
        }

        @Override
        public void archiveEnded() {
            ended++;
            current = null;
        }

        @Override
        public void manifestData(ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            manifest.writeBytes(copy);
        }

        @Override
        public void progress(long bytesDone) {
            assertThat(bytesDone).isGreaterThanOrEqualTo(lastProgress);
            lastProgress = bytesDone;
        }
    }
}
