package dev.cellar.walreceiver.connection;

import static dev.cellar.walreceiver.connection.ConnectionFailures.connectFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyData;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDirection;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ReadyForQuery;
import dev.cellar.walreceiver.protocol.WalStreamMessage;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS against real servers with {@code ssl = on}, a certificate for 127.0.0.1 from a test CA, and a
 * pg_hba.conf that refuses {@code cellar_scram} without TLS, takes SCRAM over TLS, and logs
 * {@code cellar_cert} in by client certificate. One server per major, shared by the tests.
 */
class ReplicationTlsIT {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationTlsIT.class);

    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perClass();

    @TempDir
    static Path certificateDirectory;

    private static TestCertificates certificates;
    private static final Map<Integer, PgServer> SERVERS = new ConcurrentHashMap<>();

    @BeforeAll
    static void makeCertificates() {
        certificates = TestCertificates.create(certificateDirectory);
    }

    private static PgServer server(int major) {
        return SERVERS.computeIfAbsent(major, m -> {
            PgServer server = PG.create(m, settings -> settings.addAll(List.of(
                    "ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", "ssl_ca_file = 'root.crt'")));
            // writeFile: owned by the server user, mode 0600 (PostgreSQL refuses a key readable by others).
            server.process().writeFile("server.crt", certificates.text("server.crt"));
            server.process().writeFile("server.key", certificates.text("server.key"));
            server.process().writeFile("root.crt", certificates.text("ca.crt"));
            ReplicationConnectionIT.prependHbaLines(server, List.of(
                    "hostnossl replication  " + TestCredentials.SCRAM_USER + "  127.0.0.1/32  reject",
                    "hostssl   replication  " + TestCredentials.SCRAM_USER + "  127.0.0.1/32  scram-sha-256",
                    "hostssl   replication  " + TestCertificates.CLIENT_USER + "   127.0.0.1/32  cert"));
            server.start();
            server.execute("CREATE ROLE " + TestCertificates.CLIENT_USER + " LOGIN REPLICATION");
            return server;
        });
    }

    private static ReplicationConnectionSettings.Builder scram(PgServer server, SslMode mode) {
        return scram(server.host(), server.port(), mode);
    }

    private static ReplicationConnectionSettings.Builder scram(String host, int port, SslMode mode) {
        return ReplicationConnectionSettings.builder(TestCredentials.SCRAM_USER)
                .password(PasswordSource.of(TestCredentials.SCRAM_PASSWORD.toCharArray()))
                .endpoint(host, port)
                .connectTimeout(Duration.ofSeconds(20))
                .sslMode(mode);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void requireEncryptsAndScramBindsToTheChannel(int major) {
        PgServer server = server(major);

        try (ReplicationConnection connection = ReplicationConnector.connect(scram(server, SslMode.REQUIRE).build())) {
            assertThat(connection.tlsSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isIn("TLSv1.2", "TLSv1.3"));
            assertThat(connection.authenticationMethod()).isEqualTo(AuthenticationMethod.SCRAM_SHA_256_PLUS);
            assertThat(connection.identifySystem().timeline().value()).isEqualTo(1);
        }
        try (ReplicationConnection preferred = ReplicationConnector.connect(scram(server, SslMode.PREFER).build())) {
            assertThat(preferred.tlsSession()).isPresent();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void channelBindingCanBeRefusedOrRequired(int major) {
        PgServer server = server(major);

        try (ReplicationConnection unbound = ReplicationConnector.connect(scram(server, SslMode.REQUIRE)
                .channelBinding(ChannelBinding.DISABLE).build());
             ReplicationConnection bound = ReplicationConnector.connect(scram(server, SslMode.REQUIRE)
                     .channelBinding(ChannelBinding.REQUIRE).build())) {
            assertThat(unbound.authenticationMethod()).isEqualTo(AuthenticationMethod.SCRAM_SHA_256);
            assertThat(bound.authenticationMethod()).isEqualTo(AuthenticationMethod.SCRAM_SHA_256_PLUS);
        }
        CellarException certificateLogin = connectFails(ReplicationConnectionSettings.builder(TestCertificates.CLIENT_USER)
                .endpoint(server.host(), server.port()).sslMode(SslMode.REQUIRE).channelBinding(ChannelBinding.REQUIRE)
                .clientCertificate(certificates.file("client.crt"), certificates.file("client.key")).build());
        assertThat(certificateLogin.getMessage()).contains("authenticated the client without channel binding");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void verifyFullAcceptsTheRightRootAndHost(int major) {
        PgServer server = server(major);

        try (ReplicationConnection connection = ReplicationConnector.connect(scram(server, SslMode.VERIFY_FULL)
                .rootCertificate(certificates.file("ca.crt")).build())) {
            assertThat(connection.tlsSession()).isPresent();
            assertThat(connection.authenticationMethod()).isEqualTo(AuthenticationMethod.SCRAM_SHA_256_PLUS);
        }
        // verify-ca checks the chain only, so a name the certificate does not carry is fine.
        try (ReplicationConnection connection = ReplicationConnector.connect(scram("localhost", server.port(), SslMode.VERIFY_CA)
                .rootCertificate(certificates.file("ca.crt")).build())) {
            assertThat(connection.tlsSession()).isPresent();
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void verifyFullRefusesAWrongRootOrAHostTheCertificateDoesNotName(int major) {
        PgServer server = server(major);

        CellarException wrongRoot = connectFails(scram(server, SslMode.VERIFY_FULL)
                .rootCertificate(certificates.file("other-ca.crt")).build());
        CellarException wrongName = connectFails(scram("localhost", server.port(), SslMode.VERIFY_FULL)
                .rootCertificate(certificates.file("ca.crt")).build());
        CellarException requireWithRoot = connectFails(scram(server, SslMode.REQUIRE)
                .rootCertificate(certificates.file("other-ca.crt")).build());

        assertThat(wrongRoot.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
        assertThat(wrongRoot.getMessage()).startsWith("cannot connect to 127.0.0.1:" + server.port()
                + " as replication user \"cellar_scram\": the server's certificate is not signed by a trusted root "
                + "certificate (sslrootcert) (").contains("PKIX path");
        assertThat(wrongRoot.hint()).hasValueSatisfying(h -> assertThat(h).contains("sslrootcert"));
        LOG.info("verify-full failures as users see them:\n{}\n{}", wrongRoot.describe(), wrongName.describe());
        assertThat(wrongName.getMessage()).contains("localhost:" + server.port())
                .contains("the server's certificate does not name the host connected to (sslmode=verify-full)")
                .contains("No name matching localhost found");
        assertThat(wrongName.hint()).hasValueSatisfying(h -> assertThat(h).contains("subject alternative names"));
        assertThat(requireWithRoot.getMessage()).as("require with a root certificate verifies the chain, as in libpq")
                .contains("PKIX path");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void clientCertificateLoginWithPkcs8AndPkcs1Keys(int major) {
        PgServer server = server(major);

        for (String name : List.of("client", "client-rsa")) {
            try (ReplicationConnection connection = ReplicationConnector.connect(
                    ReplicationConnectionSettings.builder(TestCertificates.CLIENT_USER)
                            .endpoint(server.host(), server.port()).sslMode(SslMode.VERIFY_FULL)
                            .rootCertificate(certificates.file("ca.crt"))
                            .clientCertificate(certificates.file(name + ".crt"), certificates.file(name + ".key")).build())) {
                assertThat(connection.authenticationMethod()).as(name).isEqualTo(AuthenticationMethod.NONE);
                assertThat(connection.parameterStatus("session_authorization")).contains(TestCertificates.CLIENT_USER);
            }
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void allowRetriesWithTlsWhenThePlainLoginIsRefusedAndDisableDoesNot(int major) {
        PgServer server = server(major);

        try (ReplicationConnection connection = ReplicationConnector.connect(scram(server, SslMode.ALLOW).build())) {
            assertThat(connection.tlsSession()).isPresent();
            assertThat(connection.authenticationMethod()).isEqualTo(AuthenticationMethod.SCRAM_SHA_256_PLUS);
        }
        CellarException plain = connectFails(scram(server, SslMode.DISABLE).build());
        assertThat(plain.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        assertThat(plain.getMessage()).contains("pg_hba.conf rejects replication connection").contains("no encryption");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void readTimeoutsDoNotDisturbATlsStream(int major) throws SocketTimeoutException {
        PgServer server = server(major);

        try (ReplicationConnection connection = ReplicationConnector.connect(scram(server, SslMode.REQUIRE).build())) {
            SystemIdentification system = connection.identifySystem();
            connection.sendQuery("START_REPLICATION PHYSICAL " + system.xlogPosition() + " TIMELINE " + system.timeline());
            assertThat(connection.readMessage()).isEqualTo(new CopyResponse(CopyDirection.BOTH, false, List.of()));
            connection.setReadTimeout(Duration.ofMillis(200));
            int timeouts = 0;
            WalStreamMessage.XLogData wal = null;
            long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (wal == null) {
                assertThat(System.nanoTime()).as("WAL within 60 s").isLessThan(giveUp);
                try {
                    BackendMessage message = connection.readMessage();
                    if (message instanceof CopyData data
                            && WalStreamMessage.parse(data.payload()) instanceof WalStreamMessage.XLogData xlog) {
                        wal = xlog;
                    }
                } catch (SocketTimeoutException e) {
                    timeouts++;
                    if (timeouts == 2) {
                        server.execute("CREATE TABLE IF NOT EXISTS tls_probe (i int)", "INSERT INTO tls_probe VALUES (1)");
                    }
                }
            }
            assertThat(timeouts).isGreaterThanOrEqualTo(2);
            assertThat(wal.dataStart()).isEqualTo(system.xlogPosition());

            connection.setReadTimeout(Duration.ofSeconds(30));
            connection.sendCopyDone();
            BackendMessage message;
            do {
                message = connection.readMessage();
            } while (!(message instanceof ReadyForQuery));
            assertThat(connection.identifySystem().systemId()).isEqualTo(system.systemId());
        }
    }
}
