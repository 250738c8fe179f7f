package dev.cellar.walreceiver.connection;

import static dev.cellar.walreceiver.connection.ConnectionFailures.connectFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.BackendMessage.CommandComplete;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyData;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDirection;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDone;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ReadyForQuery;
import dev.cellar.walreceiver.protocol.WalStreamMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cellar's replication client against real PostgreSQL servers without TLS: every authentication
 * method, the errors users meet, and the replication commands. One primary per major is shared
 * by the tests of this class; its pg_hba.conf starts with two probe lines (see {@link #primary}).
 */
class ReplicationConnectionIT {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationConnectionIT.class);

    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perClass();

    private static final Map<Integer, PgServer> PRIMARIES = new ConcurrentHashMap<>();

    /** Replication role that a {@code host all ... reject} line names: physical replication must not match it. */
    private static final String HBA_ALL_USER = "cellar_hba_all";
    /** Replication role that a {@code host replication ... reject} line names. */
    private static final String HBA_REJECTED_USER = "cellar_hba_rejected";
    /** Login role without the REPLICATION attribute. */
    private static final String NO_REPLICATION_USER = "cellar_norepl";

    private static PgServer primary(int major) {
        return PRIMARIES.computeIfAbsent(major, m -> {
            PgServer server = PG.create(m, settings -> { });
            prependHbaLines(server, List.of(
                    "host    all          " + HBA_ALL_USER + "       127.0.0.1/32   reject",
                    "host    replication  " + HBA_REJECTED_USER + "  127.0.0.1/32   reject"));
            server.start();
            server.execute("CREATE ROLE " + HBA_ALL_USER + " LOGIN REPLICATION",
                    "CREATE ROLE " + HBA_REJECTED_USER + " LOGIN REPLICATION",
                    "CREATE ROLE " + NO_REPLICATION_USER + " LOGIN");
            return server;
        });
    }

    static void prependHbaLines(PgServer server, List<String> lines) {
        try {
            String existing = Files.readString(server.dataDirectory().resolve("pg_hba.conf"), StandardCharsets.UTF_8);
            server.process().writeFile("pg_hba.conf", String.join("\n", lines) + "\n" + existing);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ReplicationConnectionSettings.Builder as(PgServer server, String user, String password) {
        ReplicationConnectionSettings.Builder builder = ReplicationConnectionSettings.builder(user)
                .endpoint(server.host(), server.port())
                .connectTimeout(Duration.ofSeconds(20))
                .applicationName("cellar-it");
        if (password != null) {
            builder.password(PasswordSource.of(password.toCharArray()));
        }
        return builder;
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void trustLoginAsSuperuserReportsParametersAndShowsUpInPgStatReplication(int major) {
        PgServer server = primary(major);

        try (ReplicationConnection connection = ReplicationConnector.connect(as(server, TestCredentials.SUPERUSER, null).build())) {
            assertThat(connection.authenticationMethod()).isEqualTo(AuthenticationMethod.NONE);
            assertThat(connection.tlsSession()).as("the kit's servers run without ssl; prefer falls back").isEmpty();
            assertThat(connection.serverVersionNum() / 10000).isEqualTo(major);
            assertThat(connection.serverVersionNum()).isEqualTo(server.queryLong("SHOW server_version_num"));
            Map<String, String> reported = connection.parameterStatuses();
            LOG.info("PostgreSQL {} walsender reports at startup: {}", major, new java.util.TreeMap<>(reported));
            assertThat(reported).containsEntry("in_hot_standby", "off")
                    .containsEntry("default_transaction_read_only", "off")
                    .containsEntry("integer_datetimes", "on")
                    .containsEntry("application_name", "cellar-it")
                    .containsEntry("is_superuser", "on")
                    .containsKeys("server_version", "server_encoding", "client_encoding", "DateStyle", "TimeZone",
                            "standard_conforming_strings", "session_authorization", "IntervalStyle")
                    .doesNotContainKey("server_version_num");
            if (major >= 16) {
                assertThat(reported).containsKey("scram_iterations");
            }
            assertThat(server.queryString("SELECT application_name FROM pg_stat_replication WHERE pid = "
                    + connection.backendProcessId())).isEqualTo("cellar-it");
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void scramAndMd5Logins(int major) {
        PgServer server = primary(major);

        try (ReplicationConnection scram = ReplicationConnector.connect(
                as(server, TestCredentials.SCRAM_USER, TestCredentials.SCRAM_PASSWORD).build());
             ReplicationConnection md5 = ReplicationConnector.connect(
                     as(server, TestCredentials.MD5_USER, TestCredentials.MD5_PASSWORD).build())) {
            assertThat(scram.authenticationMethod()).isEqualTo(AuthenticationMethod.SCRAM_SHA_256);
            assertThat(md5.authenticationMethod()).isEqualTo(AuthenticationMethod.MD5);
            assertThat(scram.identifySystem().systemId()).isEqualTo(md5.identifySystem().systemId());
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void wrongPasswordIsAnAuthenticationFailureWithItsSqlstate(int major) {
        PgServer server = primary(major);

        CellarException e = connectFails(as(server, TestCredentials.SCRAM_USER, "wrong-password").build());

        assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).isEqualTo("cannot connect to 127.0.0.1:" + server.port()
                + " as replication user \"cellar_scram\": the server rejected the password: FATAL 28P01: "
                + "password authentication failed for user \"cellar_scram\"");
        assertThat(e.describe()).doesNotContain("wrong-password");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void unknownRoleAndRoleWithoutReplicationAreExplained(int major) {
        PgServer server = primary(major);

        CellarException unknown = connectFails(as(server, "cellar_ghost", null).build());
        CellarException noReplication = connectFails(as(server, NO_REPLICATION_USER, null).build());

        assertThat(unknown.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(unknown.getMessage()).contains("the role does not exist on the server: FATAL 28000: role \"cellar_ghost\" does not exist");
        assertThat(unknown.hint()).contains("Create it: CREATE ROLE cellar_ghost LOGIN REPLICATION PASSWORD '…';");
        assertThat(noReplication.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(noReplication.getMessage()).contains("the role may not start a replication connection: FATAL 42501: ");
        assertThat(noReplication.hint()).contains("Give it the REPLICATION attribute: ALTER ROLE cellar_norepl REPLICATION;");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void pgHbaMatchesPhysicalReplicationOnlyByTheReplicationKeyword(int major) {
        PgServer server = primary(major);

        // "host all cellar_hba_all reject" is the first line: it stops ordinary sessions...
        assertThatThrownBy(() -> server.connectAs("postgres", HBA_ALL_USER, ""))
                .hasMessageContaining("pg_hba.conf rejects connection");
        // ...but not a physical replication connection, which matches only "replication" lines.
        try (ReplicationConnection connection = ReplicationConnector.connect(as(server, HBA_ALL_USER, null).build())) {
            assertThat(connection.authenticationMethod()).isEqualTo(AuthenticationMethod.NONE);
        }
        // A "host replication cellar_hba_rejected reject" line does stop it, with a pg_hba.conf hint.
        CellarException rejected = connectFails(as(server, HBA_REJECTED_USER, null).build());
        assertThat(rejected.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(rejected.getMessage()).contains("FATAL 28000: pg_hba.conf rejects replication connection for host \"127.0.0.1\"");
        assertThat(rejected.hint()).hasValueSatisfying(h -> assertThat(h).contains("'replication' keyword"));
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void channelBindingRequiredFailsWithoutTls(int major) {
        PgServer server = primary(major);

        CellarException e = connectFails(as(server, TestCredentials.SCRAM_USER, TestCredentials.SCRAM_PASSWORD)
                .channelBinding(ChannelBinding.REQUIRE).build());

        assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(e.getMessage()).contains("channel_binding=require, but the connection is not encrypted");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void unreachablePortIsARetryableFailureNamingTheServer(int major) throws IOException {
        PgServer server = primary(major);
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }

        CellarException e = connectFails(ReplicationConnectionSettings.builder("postgres")
                .endpoint("127.0.0.1", closed).endpoint(server.host(), closed).build());

        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).contains("to any of 2 server(s)").contains("127.0.0.1:" + closed + ": connection refused");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void identifySystemMatchesTheServer(int major) {
        PgServer server = primary(major);
        Lsn flushedBefore = Lsn.parse(server.queryString("SELECT pg_current_wal_flush_lsn()"));

        try (ReplicationConnection connection = ReplicationConnector.connect(
                as(server, TestCredentials.SCRAM_USER, TestCredentials.SCRAM_PASSWORD).build())) {
            SystemIdentification system = connection.identifySystem();
            QueryResult raw = connection.simpleQuery("IDENTIFY_SYSTEM");

            assertThat(system.systemId()).isEqualTo(server.queryString("SELECT system_identifier FROM pg_control_system()"));
            assertThat(system.timeline()).isEqualTo(TimelineId.INITIAL);
            assertThat(system.database()).isEmpty();
            assertThat(system.xlogPosition()).isGreaterThanOrEqualTo(flushedBefore);
            assertThat(system.xlogPosition()).isLessThanOrEqualTo(server.currentLsn());
            assertThat(raw.commandTag()).isEqualTo("IDENTIFY_SYSTEM");
            assertThat(raw.columns().get(1).typeOid()).as("timeline column type")
                    .isEqualTo(major == 15 ? QueryResult.INT4_OID : QueryResult.INT8_OID);
            assertThat(connection.show("wal_segment_size")).isEqualTo(server.queryString("SHOW wal_segment_size"));
            assertThat(connection.show("wal_segment_size")).isEqualTo("16MB");
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void physicalSlotLifecycle(int major) {
        PgServer server = primary(major);
        String slot = "cellar_it_slot";
        String lazy = "cellar_it_lazy";

        try (ReplicationConnection connection = ReplicationConnector.connect(
                as(server, TestCredentials.SCRAM_USER, TestCredentials.SCRAM_PASSWORD).build())) {
            assertThat(connection.readReplicationSlot(slot)).isEmpty();

            assertThat(connection.createPhysicalSlot(slot, true)).isEqualTo(SlotCreation.CREATED);
            assertThat(connection.createPhysicalSlot(slot, true)).isEqualTo(SlotCreation.ALREADY_EXISTS);
            QueryResult created = connection.simpleQuery("CREATE_REPLICATION_SLOT \"" + lazy + "\" PHYSICAL");

            ReplicationSlotInfo reserved = connection.readReplicationSlot(slot).orElseThrow();
            assertThat(reserved.slotType()).isEqualTo("physical");
            assertThat(reserved.restartLsn()).isPresent();
            assertThat(reserved.restartLsn().orElseThrow()).isEqualTo(
                    Lsn.parse(server.queryString("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'")));
            assertThat(reserved.restartTimeline()).contains(TimelineId.INITIAL);
            assertThat(connection.readReplicationSlot(lazy)).contains(
                    new ReplicationSlotInfo("physical", java.util.Optional.empty(), java.util.Optional.empty()));
            assertThat(created.columnNames()).containsExactly("slot_name", "consistent_point", "snapshot_name", "output_plugin");
            assertThat(created.rows().getFirst().text(0)).isEqualTo(lazy);
            assertThat(created.rows().getFirst().text(1)).as("physical slots never set confirmed_flush").isEqualTo("0/0");
            assertThat(created.rows().getFirst().text(2)).isNull();

            assertThat(connection.dropSlot(slot, false)).isTrue();
            assertThat(connection.dropSlot(lazy, true)).isTrue();
            assertThat(connection.dropSlot(slot, false)).isFalse();
            assertThat(server.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'cellar_it_%'")).isZero();
            assertThatThrownBy(() -> connection.timelineHistory(TimelineId.INITIAL))
                    .isInstanceOf(ServerErrorException.class).hasMessageContaining("58P01");
            assertThat(connection.isIdle()).isTrue();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void copyBothRoundTripOnARealWalsender(int major) throws SocketTimeoutException {
        PgServer server = primary(major);

        try (ReplicationConnection connection = ReplicationConnector.connect(
                as(server, TestCredentials.SCRAM_USER, TestCredentials.SCRAM_PASSWORD).build())) {
            SystemIdentification system = connection.identifySystem();
            Lsn start = system.xlogPosition().segmentStart(16 * 1024 * 1024);
            connection.sendQuery("START_REPLICATION PHYSICAL " + start + " TIMELINE " + system.timeline());
            assertThat(connection.readMessage()).isEqualTo(new CopyResponse(CopyDirection.BOTH, false, List.of()));

            // Read WAL from the segment start up to the flush position, then let the read timeout expire.
            connection.setReadTimeout(Duration.ofMillis(500));
            Lsn next = start;
            boolean timedOut = false;
            long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!timedOut) {
                assertThat(System.nanoTime()).as("WAL up to %s within 60 s", system.xlogPosition()).isLessThan(giveUp);
                try {
                    BackendMessage message = connection.readMessage();
                    if (message instanceof CopyData data
                            && WalStreamMessage.parse(data.payload()) instanceof WalStreamMessage.XLogData xlog) {
                        assertThat(xlog.dataStart()).isEqualTo(next);
                        next = xlog.dataEnd();
                    }
                } catch (SocketTimeoutException e) {
                    timedOut = next.compareTo(system.xlogPosition()) >= 0;
                }
            }
            assertThat(next).isGreaterThanOrEqualTo(system.xlogPosition());

            connection.setReadTimeout(Duration.ofSeconds(30));
            connection.sendCopyDone();
            List<String> after = new ArrayList<>();
            BackendMessage message;
            do {
                message = connection.readMessage();
                switch (message) {
                    case CopyDone done -> after.add("CopyDone");
                    case CommandComplete complete -> after.add(complete.tag());
                    case ReadyForQuery ready -> after.add("ReadyForQuery");
                    default -> { }
                }
            } while (!(message instanceof ReadyForQuery));
            assertThat(after).containsExactly("CopyDone", "START_STREAMING", "START_REPLICATION", "ReadyForQuery");
            assertThat(connection.identifySystem().systemId()).isEqualTo(system.systemId());
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void targetSessionAttrsChooseBetweenStandbyAndPrimary(int major) {
        PgServer primary = primary(major);
        PgServer standby = PG.standbyOf(primary);

        ReplicationConnectionSettings.Builder standbyFirst = ReplicationConnectionSettings.builder(TestCredentials.SCRAM_USER)
                .password(PasswordSource.of(TestCredentials.SCRAM_PASSWORD.toCharArray()))
                .endpoint(standby.host(), standby.port()).endpoint(primary.host(), primary.port());
        ReplicationConnectionSettings.Builder primaryFirst = ReplicationConnectionSettings.builder(TestCredentials.SCRAM_USER)
                .password(PasswordSource.of(TestCredentials.SCRAM_PASSWORD.toCharArray()))
                .endpoint(primary.host(), primary.port()).endpoint(standby.host(), standby.port());

        assertThat(portChosen(standbyFirst.targetSessionAttrs(TargetSessionAttrs.READ_WRITE))).isEqualTo(primary.port());
        assertThat(portChosen(standbyFirst.targetSessionAttrs(TargetSessionAttrs.PRIMARY))).isEqualTo(primary.port());
        assertThat(portChosen(standbyFirst.targetSessionAttrs(TargetSessionAttrs.ANY))).isEqualTo(standby.port());
        assertThat(portChosen(primaryFirst.targetSessionAttrs(TargetSessionAttrs.STANDBY))).isEqualTo(standby.port());
        assertThat(portChosen(primaryFirst.targetSessionAttrs(TargetSessionAttrs.READ_ONLY))).isEqualTo(standby.port());
        assertThat(portChosen(primaryFirst.targetSessionAttrs(TargetSessionAttrs.PREFER_STANDBY))).isEqualTo(standby.port());
        try (ReplicationConnection connection = ReplicationConnector.connect(
                primaryFirst.targetSessionAttrs(TargetSessionAttrs.STANDBY).build())) {
            assertThat(connection.parameterStatus("in_hot_standby")).contains("on");
            assertThat(connection.identifySystem().systemId())
                    .isEqualTo(primary.queryString("SELECT system_identifier FROM pg_control_system()"));
        }
        CellarException noStandby = connectFails(ReplicationConnectionSettings.builder(TestCredentials.SUPERUSER)
                .endpoint(primary.host(), primary.port()).targetSessionAttrs(TargetSessionAttrs.STANDBY).build());
        assertThat(noStandby.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(noStandby.getMessage()).endsWith("the server is a primary (in_hot_standby=off), but target_session_attrs=standby");
    }

    private static int portChosen(ReplicationConnectionSettings.Builder settings) {
        try (ReplicationConnection connection = ReplicationConnector.connect(settings.build())) {
            return connection.endpoint().port();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void timelineHistoryAfterPromotionIsTheFileInPgWal(int major) throws IOException {
        PgServer standby = PG.standbyOf(primary(major));
        standby.promote();

        try (ReplicationConnection connection = ReplicationConnector.connect(
                as(standby, TestCredentials.SCRAM_USER, TestCredentials.SCRAM_PASSWORD).build())) {
            SystemIdentification system = connection.identifySystem();
            TimelineHistoryContent history = connection.timelineHistory(TimelineId.of(2));

            assertThat(system.timeline()).isEqualTo(TimelineId.of(2));
            assertThat(history.fileName()).isEqualTo("00000002.history");
            Path file = standby.dataDirectory().resolve("pg_wal").resolve("00000002.history");
            assertThat(history.content()).isEqualTo(Files.readAllBytes(file));
            assertThat(history.parse().entries()).hasSize(1);
            assertThat(history.parse().entries().getFirst().parent()).isEqualTo(TimelineId.INITIAL);
            LOG.info("PostgreSQL {} history file after promotion: {}", major,
                    new String(history.content(), StandardCharsets.UTF_8).replace("\t", "\\t").replace("\n", "\\n"));
        }
    }
}
