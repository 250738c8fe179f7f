package dev.cellar.walreceiver.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyData;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDone;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ReadyForQuery;
import dev.cellar.walreceiver.protocol.WireBytes;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Commands and the COPY sub-protocol on an established connection, against a scripted fake server. */
class ReplicationConnectionTest {

    private static ReplicationConnection connect(FakeServer server) {
        return ReplicationConnector.connect(ReplicationConnectionSettings.builder("cellar").sslMode(SslMode.DISABLE)
                .endpoint("127.0.0.1", server.port()).build());
    }

    @Test
    void identifySystemOnPostgres15ReadsAnInt4Timeline() throws Exception {
        List<String> queries = new ArrayList<>();
        try (FakeServer server = FakeServer.start(session -> {
            session.acceptTrustLogin();
            queries.add(session.expect('Q').bodyText());
            session.sendResult("IDENTIFY_SYSTEM", List.of("systemid", "timeline", "xlogpos", "dbname"),
                    List.of(25, 23, 25, 25), Arrays.asList("7450000000000000001", "3", "0/3000148", null));
            queries.add(session.expect('Q').bodyText());
            session.sendResult("SHOW", List.of("wal_segment_size"), List.of(25), List.of("16MB"));
            session.expectTerminateOrClose();
        }); ReplicationConnection connection = connect(server)) {
            SystemIdentification system = connection.identifySystem();

            assertThat(system).isEqualTo(new SystemIdentification("7450000000000000001", TimelineId.of(3),
                    Lsn.parse("0/3000148"), java.util.Optional.empty()));
            assertThat(connection.show("wal_segment_size")).isEqualTo("16MB");
            assertThat(connection.isIdle()).isTrue();
        }
        assertThat(queries).containsExactly("IDENTIFY_SYSTEM\0", "SHOW wal_segment_size\0");
    }

    @Test
    void anErrorResponseThrowsButLeavesTheConnectionUsable() throws Exception {
        List<String> queries = new ArrayList<>();
        try (FakeServer server = FakeServer.start(session -> {
            session.acceptTrustLogin();
            queries.add(session.expect('Q').bodyText());
            session.sendError("ERROR", "42710", "replication slot \"cellar\" already exists");
            session.sendReady();
            queries.add(session.expect('Q').bodyText());
            session.sendError("ERROR", "42704", "replication slot \"gone\" does not exist");
            session.sendReady();
            queries.add(session.expect('Q').bodyText());
            session.sendError("ERROR", "55006", "replication slot \"busy\" is active for PID 77");
            session.sendReady();
            queries.add(session.expect('Q').bodyText());
            session.send('C', WireBytes.create().cString("DROP_REPLICATION_SLOT"));
            session.sendReady();
            session.expectTerminateOrClose();
        }); ReplicationConnection connection = connect(server)) {
            assertThat(connection.createPhysicalSlot("cellar", true)).isEqualTo(SlotCreation.ALREADY_EXISTS);
            assertThat(connection.dropSlot("gone", false)).isFalse();
            assertThatThrownBy(() -> connection.dropSlot("busy", false))
                    .isInstanceOfSatisfying(ServerErrorException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo("55006");
                        assertThat(e.getMessage()).isEqualTo("replication connection to 127.0.0.1:" + server.port()
                                + " (user \"cellar\"): DROP_REPLICATION_SLOT \"busy\" failed: "
                                + "ERROR 55006: replication slot \"busy\" is active for PID 77");
                    });
            assertThat(connection.dropSlot("busy", true)).isTrue();
        }
        assertThat(queries).containsExactly("CREATE_REPLICATION_SLOT \"cellar\" PHYSICAL (RESERVE_WAL)\0",
                "DROP_REPLICATION_SLOT \"gone\"\0", "DROP_REPLICATION_SLOT \"busy\"\0",
                "DROP_REPLICATION_SLOT \"busy\" WAIT\0");
    }

    @Test
    void copyBothSurvivesAReadTimeoutInTheMiddleOfAMessage() throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        List<Character> received = new ArrayList<>();
        byte[] xlogData = WireBytes.message('d', WireBytes.create().byte1('w').int64(0x3000000L).int64(0x3000010L).int64(0)
                .bytes(new byte[] {1, 2, 3, 4}).toByteArray());
        try (FakeServer server = FakeServer.start(session -> {
            session.acceptTrustLogin();
            session.expect('Q');
            session.send(new byte[] {'W', 0, 0, 0, 7, 0, 0, 0});
            session.send(Arrays.copyOfRange(xlogData, 0, 12));
            assertThat(timedOut.await(20, TimeUnit.SECONDS)).isTrue();
            session.send(Arrays.copyOfRange(xlogData, 12, xlogData.length));
            received.add(session.expect('d').type());
            received.add(session.expect('c').type());
            session.send(new byte[] {'c', 0, 0, 0, 4});
            session.send('C', WireBytes.create().cString("START_REPLICATION"));
            session.sendReady();
            session.expectTerminateOrClose();
        }); ReplicationConnection connection = connect(server)) {
            connection.sendQuery("START_REPLICATION 0/3000000 TIMELINE 1");
            assertThat(connection.readMessage()).isInstanceOf(CopyResponse.class);
            assertThat(connection.isCopyInOpen()).isTrue();
            assertThat(connection.isCopyOutOpen()).isTrue();

            connection.setReadTimeout(Duration.ofMillis(200));
            assertThatThrownBy(connection::readMessage).isInstanceOf(SocketTimeoutException.class);
            timedOut.countDown();
            connection.setReadTimeout(Duration.ZERO);
            BackendMessage message = connection.readMessage();

            assertThat(message).isInstanceOf(CopyData.class);
            ByteBuffer payload = ((CopyData) message).payload();
            assertThat(payload.remaining()).isEqualTo(29);
            connection.sendCopyData(ByteBuffer.wrap(new byte[] {'r'}));
            connection.sendCopyDone();
            assertThat(connection.isCopyInOpen()).isFalse();
            assertThat(connection.readMessage()).isInstanceOf(CopyDone.class);
            assertThat(connection.isCopyOutOpen()).isFalse();
            assertThat(connection.readMessage()).isInstanceOf(BackendMessage.CommandComplete.class);
            assertThat(connection.readMessage()).isInstanceOf(ReadyForQuery.class);
            assertThat(connection.isIdle()).isTrue();
        }
        assertThat(received).containsExactly('d', 'c');
    }

    @Test
    void simpleQueryRefusesACommandThatStartsACopy() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.acceptTrustLogin();
            session.expect('Q');
            session.send(new byte[] {'H', 0, 0, 0, 7, 0, 0, 0});
            session.expectClosed();
        }); ReplicationConnection connection = connect(server)) {
            assertThatThrownBy(() -> connection.simpleQuery("BASE_BACKUP"))
                    .isInstanceOfSatisfying(CellarException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
                        assertThat(e.getMessage()).contains("started a COPY (OUT)");
                    });
            assertThat(connection.isClosed()).isTrue();
        }
    }

    @Test
    void sendingCopyDataOutsideACopyIsAProgrammingError() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.acceptTrustLogin();
            session.expectTerminateOrClose();
        }); ReplicationConnection connection = connect(server)) {
            assertThatThrownBy(() -> connection.sendCopyData(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(connection::sendCopyDone).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void serverGoingAwayMidCommandIsARetryableConnectionFailure() throws Exception {
        try (FakeServer server = FakeServer.start(session -> {
            session.acceptTrustLogin();
            session.expect('Q');
            session.closeNow();
        }); ReplicationConnection connection = connect(server)) {
            assertThatThrownBy(connection::identifySystem)
                    .isInstanceOfSatisfying(CellarException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED);
                        assertThat(e.getMessage()).isEqualTo("replication connection to 127.0.0.1:" + server.port()
                                + " (user \"cellar\"): the server closed the connection");
                    });
            assertThat(connection.isClosed()).isTrue();
        }
    }

    @Test
    void cancelSendsTheKeyOnASeparateConnection() throws Exception {
        List<byte[]> cancelBody = new ArrayList<>();
        int[] cancelCode = new int[1];
        try (FakeServer server = FakeServer.start(
                session -> {
                    session.acceptTrustLogin();
                    session.expectTerminateOrClose();
                },
                session -> cancelCode[0] = session.readUntyped(cancelBody));
             ReplicationConnection connection = connect(server)) {
            connection.cancel();
        }
        assertThat(cancelCode[0]).isEqualTo(80877102);
        assertThat(cancelBody.getFirst()).isEqualTo(WireBytes.create().int32(4242).int32(0x5EC2E7).toByteArray());
    }
}
