package dev.cellar.walreceiver.connection;

import static dev.cellar.walreceiver.connection.ConnectionFailures.connectFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.WireBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The connector's startup and authentication state machine against a scripted fake server: what
 * it sends, which server answers it accepts, and how each failure is reported.
 */
class ReplicationConnectorTest {
    private static final String PASSWORD = "s3cret-Passw0rd";

    private static ReplicationConnectionSettings.Builder settings(int... ports) {
        ReplicationConnectionSettings.Builder builder = ReplicationConnectionSettings.builder("cellar")
                .sslMode(SslMode.DISABLE)
                .connectTimeout(Duration.ofSeconds(10))
                .password(PasswordSource.of(PASSWORD.toCharArray()));
        for (int port : ports) {
            builder.endpoint("127.0.0.1", port);
        }
        return builder;
    }

    @Test
    void trustLoginSendsAPhysicalReplicationStartupAndKeepsTheReportedParameters() throws Exception {
        Map<String, String> startup = new LinkedHashMap<>();
        try (FakeServer server = FakeServer.start(session -> {
            startup.putAll(session.acceptTrustLogin());
            session.expectTerminateOrClose();
        })) {
            try (ReplicationConnection connection = ReplicationConnector.connect(
                    settings(server.port()).applicationName("cellar-test").build())) {
                assertThat(connection.authenticationMethod()).isEqualTo(AuthenticationMethod.NONE);
                assertThat(connection.serverVersionNum()).isEqualTo(170011);
                assertThat(connection.parameterStatus("in_hot_standby")).contains("off");
                assertThat(connection.backendProcessId()).isEqualTo(4242);
                assertThat(connection.tlsSession()).isEmpty();
                assertThat(connection.isIdle()).isTrue();
            }
        }
        assertThat(startup).containsExactly(Map.entry("user", "cellar"), Map.entry("replication", "true"),
                Map.entry("application_name", "cellar-test"));
    }

    @Test
    void md5LoginAnswersWithTheSaltedDoubleHash() throws Exception {
        byte[][] answer = new byte[1][];
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.sendAuthentication(5, new byte[] {1, 2, 3, 4});
            answer[0] = session.expect('p').body();
            session.sendAuthOk();
            session.sendStartupTail(false);
            session.expectTerminateOrClose();
        })) {
            ReplicationConnectionSettings s = ReplicationConnectionSettings.builder("postgres").sslMode(SslMode.DISABLE)
                    .endpoint("127.0.0.1", server.port()).password(PasswordSource.of("secret".toCharArray())).build();
            try (ReplicationConnection connection = ReplicationConnector.connect(s)) {
                assertThat(connection.authenticationMethod()).isEqualTo(AuthenticationMethod.MD5);
            }
        }
        assertThat(new String(answer[0], StandardCharsets.US_ASCII)).isEqualTo("md5bb41a296aab6baccb36ff243a562abff\0");
    }

    @Test
    void cleartextLoginSendsThePassword() throws Exception {
        String[] answer = new String[1];
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.sendAuthentication(3, new byte[0]);
            answer[0] = session.expect('p').bodyText();
            session.sendAuthOk();
            session.sendStartupTail(false);
            session.expectTerminateOrClose();
        })) {
            try (ReplicationConnection connection = ReplicationConnector.connect(settings(server.port()).build())) {
                assertThat(connection.authenticationMethod()).isEqualTo(AuthenticationMethod.CLEARTEXT_PASSWORD);
            }
        }
        assertThat(answer[0]).isEqualTo(PASSWORD + "\0");
    }

    @Test
    void scramLoginVerifiesTheServerSignature() throws Exception {
        String[] gs2 = new String[1];
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            gs2[0] = FakeScramServer.authenticate(session, PASSWORD, FakeScramServer.Ending.HONEST);
            session.sendStartupTail(false);
            session.expectTerminateOrClose();
        })) {
            try (ReplicationConnection connection = ReplicationConnector.connect(settings(server.port()).build())) {
                assertThat(connection.authenticationMethod()).isEqualTo(AuthenticationMethod.SCRAM_SHA_256);
            }
        }
        assertThat(gs2[0]).as("no TLS, so no channel binding").isEqualTo("n,,");
    }

    @Test
    void scramServerWithAForgedSignatureIsRejected() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            FakeScramServer.authenticate(session, PASSWORD, FakeScramServer.Ending.FORGED_SIGNATURE);
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(e.getMessage()).contains("SCRAM signature is wrong");
        }
    }

    @Test
    void authenticationOkBeforeTheScramSignatureIsAProtocolError() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            FakeScramServer.authenticate(session, PASSWORD, FakeScramServer.Ending.SKIP_SIGNATURE);
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
            assertThat(e.getMessage()).contains("AuthenticationOk before finishing the SCRAM exchange");
        }
    }

    @Test
    void messagesBeforeAuthenticationOkAreAProtocolError() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.sendReady();
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
            assertThat(e.getMessage()).contains("ReadyForQuery before AuthenticationOk");
        }
    }

    @Test
    void preferFallsBackToPlainWhenTheServerAnswersN() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.expectSslRequest();
            session.send(new byte[] {'N'});
            session.acceptTrustLogin();
            session.expectTerminateOrClose();
        })) {
            try (ReplicationConnection connection = ReplicationConnector.connect(
                    settings(server.port()).sslMode(SslMode.PREFER).build())) {
                assertThat(connection.tlsSession()).isEmpty();
            }
        }
    }

    @Test
    void requireFailsClearlyWhenTheServerAnswersN() throws Exception {
        int[] port = new int[1];
        try (FakeServer server = FakeServer.start(session -> {
            session.expectSslRequest();
            session.send(new byte[] {'N'});
            session.expectClosed();
        })) {
            port[0] = server.port();
            CellarException e = connectFails(settings(server.port()).sslMode(SslMode.REQUIRE).build());

            assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(e.getMessage()).isEqualTo("cannot connect to 127.0.0.1:" + port[0] + " as replication user \"cellar\": "
                    + "the server does not accept TLS (it answered 'N' to SSLRequest), but sslmode=require requires it");
            assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("ssl"));
        }
    }

    @Test
    void errorResponseToSslRequestIsNeverShownAndPreferRetriesInPlain() throws Exception {
        byte[] injected = WireBytes.message('E', WireBytes.create().byte1('S').cString("FATAL").byte1('C').cString("XX000")
                .byte1('M').cString("INJECTED: visit http://evil.example").byte1(0).toByteArray());
        try (FakeServer server = FakeServer.start(
                session -> {
                    session.expectSslRequest();
                    session.send(injected);
                    session.closeNow();
                },
                session -> {
                    session.acceptTrustLogin();
                    session.expectTerminateOrClose();
                },
                session -> {
                    session.expectSslRequest();
                    session.send(injected);
                    session.closeNow();
                })) {
            try (ReplicationConnection connection = ReplicationConnector.connect(
                    settings(server.port()).sslMode(SslMode.PREFER).build())) {
                assertThat(connection.tlsSession()).isEmpty();
            }

            CellarException e = connectFails(settings(server.port()).sslMode(SslMode.REQUIRE).build());

            assertThat(e.getMessage()).contains("answered SSLRequest with an error").doesNotContain("INJECTED");
        }
    }

    @Test
    void wrongPasswordIsAPermanentAuthenticationFailureNamingServerUserAndSqlstate() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.sendAuthentication(5, new byte[] {9, 9, 9, 9});
            session.expect('p');
            session.sendError("FATAL", "28P01", "password authentication failed for user \"cellar\"");
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).isEqualTo("cannot connect to 127.0.0.1:" + server.port()
                    + " as replication user \"cellar\": the server rejected the password: FATAL 28P01: "
                    + "password authentication failed for user \"cellar\"");
            assertThat(e.describe()).doesNotContain(PASSWORD);
            assertThat(e.getCause()).isInstanceOf(ServerErrorException.class);
        }
    }

    @Test
    void pgHbaRejectionHintsAtTheReplicationKeyword() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.sendError("FATAL", "28000",
                    "no pg_hba.conf entry for replication connection from host \"127.0.0.1\", user \"cellar\", no encryption");
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("pg_hba.conf").contains("'replication' keyword"));
        }
    }

    @Test
    void roleWithoutReplicationHintsAtAlterRole() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.sendAuthOk();
            session.sendError("FATAL", "42501", "permission denied to start WAL sender");
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(e.hint()).contains("Give it the REPLICATION attribute: ALTER ROLE cellar REPLICATION;");
        }
    }

    @Test
    void passwordRequestWithoutAConfiguredPasswordFailsWithoutRetry() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.sendAuthentication(5, new byte[] {1, 2, 3, 4});
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).password(PasswordSource.none()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(e.getMessage()).contains("asks for a password (md5 authentication) but none is configured");
        }
    }

    @Test
    void channelBindingRequiredRefusesALoginWithoutTls() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.expectSslRequest();
            session.send(new byte[] {'N'});
            session.readStartup();
            session.sendAuthentication(10, WireBytes.create().cString("SCRAM-SHA-256").byte1(0).toByteArray());
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).sslMode(SslMode.PREFER)
                    .channelBinding(ChannelBinding.REQUIRE).build());

            assertThat(e.code()).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
            assertThat(e.getMessage()).contains("channel_binding=require, but the connection is not encrypted");
        }
    }

    @Test
    void channelBindingRequiredRefusesTrust() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.expectSslRequest();
            session.send(new byte[] {'N'});
            session.readStartup();
            session.sendAuthOk();
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).sslMode(SslMode.PREFER)
                    .channelBinding(ChannelBinding.REQUIRE).build());

            assertThat(e.getMessage()).contains("authenticated the client without channel binding (method none: trust or certificate)");
        }
    }

    @Test
    void serverClosingMidStartupIsARetryableConnectionFailure() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.closeNow();
        })) {
            CellarException e = connectFails(settings(server.port()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).endsWith("the server closed the connection during startup");
        }
    }

    @Test
    void absurdMessageLengthIsAProtocolError() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.send(new byte[] {'R', 0x7F, 0, 0, 0});
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(server.port()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
            assertThat(e.getMessage()).contains("claims a length of 2130706432 bytes");
        }
    }

    @Test
    void firstHostRefusesSoTheSecondIsUsed() throws Exception {
        int refusing = FakeServer.closedPort();
        try (FakeServer server = FakeServer.start(session -> {
            session.acceptTrustLogin();
            session.expectTerminateOrClose();
        })) {
            try (ReplicationConnection connection = ReplicationConnector.connect(settings(refusing, server.port()).build())) {
                assertThat(connection.endpoint()).isEqualTo(Endpoint.of("127.0.0.1", server.port()));
            }
        }
    }

    @Test
    void whenEveryHostFailsTheMessageListsEachWithItsReason() throws Exception {
        int refusing = FakeServer.closedPort();
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.sendError("FATAL", "53300", "sorry, too many clients already");
            session.expectClosed();
        })) {
            CellarException e = connectFails(settings(refusing, server.port()).build());

            assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(e.getMessage()).startsWith("cannot connect as replication user \"cellar\" to any of 2 server(s)")
                    .contains("127.0.0.1:" + refusing + ": connection refused")
                    .contains("127.0.0.1:" + server.port() + ": the server has no free connection slot: FATAL 53300");
            assertThat(e.getSuppressed()).hasSize(1);
        }
    }

    @Test
    void readWriteSkipsAStandbyAndStandbySkipsAPrimary() throws Exception {
        try (FakeServer standby = FakeServer.start(
                session -> {
                    session.readStartup();
                    session.sendAuthOk();
                    session.sendStartupTail(true);
                    session.expectTerminateOrClose();
                },
                session -> {
                    session.readStartup();
                    session.sendAuthOk();
                    session.sendStartupTail(true);
                    session.expectTerminateOrClose();
                });
             FakeServer primary = FakeServer.start(
                     session -> {
                         session.acceptTrustLogin();
                         session.expectTerminateOrClose();
                     },
                     session -> {
                         session.acceptTrustLogin();
                         session.expectTerminateOrClose();
                     })) {
            try (ReplicationConnection c = ReplicationConnector.connect(settings(standby.port(), primary.port())
                    .targetSessionAttrs(TargetSessionAttrs.READ_WRITE).build())) {
                assertThat(c.endpoint().port()).isEqualTo(primary.port());
            }
            try (ReplicationConnection c = ReplicationConnector.connect(settings(primary.port(), standby.port())
                    .targetSessionAttrs(TargetSessionAttrs.STANDBY).build())) {
                assertThat(c.endpoint().port()).isEqualTo(standby.port());
            }
        }
    }

    @Test
    void preferStandbyTakesAPrimaryInASecondPassWhenNoStandbyAnswers() throws Exception {
        try (FakeServer primary = FakeServer.start(
                session -> {
                    session.acceptTrustLogin();
                    session.expectTerminateOrClose();
                },
                session -> {
                    session.acceptTrustLogin();
                    session.expectTerminateOrClose();
                })) {
            try (ReplicationConnection c = ReplicationConnector.connect(settings(primary.port())
                    .targetSessionAttrs(TargetSessionAttrs.PREFER_STANDBY).build())) {
                assertThat(c.parameterStatus("in_hot_standby")).contains("off");
            }
        }
    }

    @Test
    void connectTimeoutAppliesToAServerThatNeverAnswers() throws Exception {
        java.util.concurrent.CountDownLatch clientGaveUp = new java.util.concurrent.CountDownLatch(1);
        try (FakeServer server = FakeServer.start(session -> {
            session.readStartup();
            session.expectClosed();
            clientGaveUp.countDown();
        })) {
            CellarException e = connectFails(settings(server.port()).connectTimeout(Duration.ofMillis(300)).build());

            assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
            assertThat(e.getMessage()).contains("timed out during startup (connect timeout 300 ms)");
        }
        assertThat(clientGaveUp.getCount()).isZero();
    }
}
