package dev.cellar.walreceiver.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.walreceiver.protocol.WireBytes;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A scripted stand-in for a PostgreSQL server on 127.0.0.1: each accepted connection runs the next
 * script in its own thread, so tests can drive the client's state machine message by message.
 * {@link #close()} waits for the scripts and rethrows the first failure (a failed assertion in a
 * script fails the test).
 */
final class FakeServer implements AutoCloseable {
    /** What one connection of the fake server does. */
    @FunctionalInterface
    interface Script {
        void run(Session session) throws Exception;
    }

    private final ServerSocket listener;
    private final List<Script> scripts;
    private final List<Future<?>> sessions = new CopyOnWriteArrayList<>();

    private FakeServer(List<Script> scripts) throws IOException {
        this.scripts = new ArrayList<>(scripts);
        this.listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("fake-postgres-" + listener.getLocalPort()).start(this::acceptAll);
    }

    static FakeServer start(Script... scripts) throws IOException {
        return new FakeServer(List.of(scripts));
    }

    int port() {
        return listener.getLocalPort();
    }

    /** A port on which nothing listens (opened and closed at once). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void acceptAll() {
        for (Script script : scripts) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            FutureTask<Void> task = new FutureTask<>(() -> {
                try (Session session = new Session(socket)) {
                    script.run(session);
                }
                return null;
            });
            sessions.add(task);
            Thread.ofVirtual().start(task);
        }
    }

    /**
     * Waits for every session that was accepted and rethrows what failed in one (an assertion
     * failure as it is, anything else wrapped in an {@link AssertionError}).
     */
    @Override
    public void close() throws IOException {
        try {
            for (Future<?> session : sessions) {
                try {
                    session.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new AssertionError("a fake server script failed: " + e.getCause(), e.getCause());
                } catch (TimeoutException e) {
                    throw new AssertionError("a fake server script did not finish", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for the fake server", e);
                }
            }
        } finally {
            listener.close();
        }
    }

    /** A frontend message as received: type byte and body. */
    record Frontend(char type, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One accepted connection, from the server's side. */
    static final class Session implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        /** Reads an untyped packet (StartupMessage, SSLRequest, CancelRequest): its code and body. */
        int readUntyped(List<byte[]> bodyOut) throws IOException {
            int length = in.readInt();
            int code = in.readInt();
            byte[] body = new byte[length - 8];
            in.readFully(body);
            bodyOut.add(body);
            return code;
        }

        void expectSslRequest() throws IOException {
            List<byte[]> body = new ArrayList<>();
            assertThat(readUntyped(body)).isEqualTo(80877103);
            assertThat(body.getFirst()).isEmpty();
        }

        /** Reads the StartupMessage, checks protocol 3.0, returns its parameters in order. */
        Map<String, String> readStartup() throws IOException {
            List<byte[]> body = new ArrayList<>();
            assertThat(readUntyped(body)).isEqualTo(196608);
            String[] parts = new String(body.getFirst(), StandardCharsets.UTF_8).split("\0", -1);
            Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 0; i + 1 < parts.length && !parts[i].isEmpty(); i += 2) {
                parameters.put(parts[i], parts[i + 1]);
            }
            return parameters;
        }

        Frontend read() throws IOException {
            char type = (char) in.readUnsignedByte();
            int length = in.readInt();
            byte[] body = new byte[length - 4];
            in.readFully(body);
            return new Frontend(type, body);
        }

        Frontend expect(char type) throws IOException {
            Frontend message = read();
            assertThat(message.type()).as("frontend message type").isEqualTo(type);
            return message;
        }

        /** Waits for the client to end the session: Terminate, or the socket closing. */
        void expectTerminateOrClose() throws IOException {
            try {
                int type = in.read();
                assertThat(type == 'X' || type == -1).as("Terminate or end of stream, got " + type).isTrue();
            } catch (SocketException reset) {
                // The client closed without Terminate (abort): fine for these scripts.
            }
        }

        /** Waits until the client closes the socket. */
        void expectClosed() throws IOException {
            try {
                while (in.read() >= 0) {
                    // drain
                }
            } catch (SocketException reset) {
                // closed
            }
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void send(char type, WireBytes body) throws IOException {
            send(WireBytes.message(type, body.toByteArray()));
        }

        void sendAuthentication(int code, byte[] data) throws IOException {
            send('R', WireBytes.create().int32(code).bytes(data));
        }

        void sendAuthOk() throws IOException {
            sendAuthentication(0, new byte[0]);
        }

        void sendParameter(String name, String value) throws IOException {
            send('S', WireBytes.create().cString(name).cString(value));
        }

        void sendReady() throws IOException {
            send('Z', WireBytes.create().byte1('I'));
        }

        void sendError(String severity, String sqlState, String message) throws IOException {
            send('E', WireBytes.create().byte1('S').cString(severity).byte1('V').cString(severity).byte1('C').cString(sqlState)
                    .byte1('M').cString(message).byte1(0));
        }

        /** What a PostgreSQL 17 primary sends after AuthenticationOk, then ReadyForQuery. */
        void sendStartupTail(boolean inHotStandby) throws IOException {
            sendParameter("server_version", "17.11");
            sendParameter("in_hot_standby", inHotStandby ? "on" : "off");
            sendParameter("default_transaction_read_only", "off");
            sendParameter("integer_datetimes", "on");
            send('K', WireBytes.create().int32(4242).int32(0x5EC2E7));
            sendReady();
        }

        /** Sends a one-row result of text columns and ReadyForQuery. */
        void sendResult(String tag, List<String> columns, List<Integer> typeOids, List<String> values) throws IOException {
            WireBytes description = WireBytes.create().int16(columns.size());
            for (int i = 0; i < columns.size(); i++) {
                description.cString(columns.get(i)).int32(0).int16(0).int32(typeOids.get(i)).int16(-1).int32(-1).int16(0);
            }
            send('T', description);
            WireBytes row = WireBytes.create().int16(values.size());
            for (String value : values) {
                if (value == null) {
                    row.int32(-1);
                } else {
                    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                    row.int32(bytes.length).bytes(bytes);
                }
            }
            send('D', row);
            send('C', WireBytes.create().cString(tag));
            sendReady();
        }

        /** Startup without TLS and trust authentication. */
        Map<String, String> acceptTrustLogin() throws IOException {
            Map<String, String> startup = readStartup();
            sendAuthOk();
            sendStartupTail(false);
            return startup;
        }

        void closeNow() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
