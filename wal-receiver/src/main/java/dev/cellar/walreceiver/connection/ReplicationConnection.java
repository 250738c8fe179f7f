package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.TimelineId;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.BackendMessage.BackendKeyData;
import dev.cellar.walreceiver.protocol.BackendMessage.CommandComplete;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDone;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ErrorResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ParameterStatus;
import dev.cellar.walreceiver.protocol.BackendMessage.ReadyForQuery;
import dev.cellar.walreceiver.protocol.MessageReader;
import dev.cellar.walreceiver.protocol.MessageWriter;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * An authenticated physical replication connection (a walsender session), made by
 * {@link ReplicationConnector}.
 *
 * <p><b>Two levels.</b> Typed helpers ({@link #identifySystem()}, {@link #show(String)},
 * {@link #timelineHistory(TimelineId)}, slot commands) and {@link #simpleQuery(String)} run one
 * command to completion. For COPY sub-protocols (START_REPLICATION's CopyBoth, BASE_BACKUP's
 * CopyOut, UPLOAD_MANIFEST's CopyIn) use {@link #sendQuery(String)}, then {@link #readMessage()}
 * until ReadyForQuery, answering with {@link #sendCopyData}, {@link #sendCopyDone()} and
 * {@link #sendCopyFail(String)}; {@code CopyData} payloads alias the receive buffer (see
 * {@link BackendMessage.CopyData}).
 *
 * <p><b>Thread-safety.</b> Not thread-safe: one thread owns the connection. The exceptions are
 * {@link #cancel()} and {@link #abort()}, which any thread may call, for example to stop a
 * blocked read.
 *
 * <p><b>Blocking.</b> Reads block until a message arrives or the {@linkplain #setReadTimeout read
 * timeout} expires (none by default). A timeout in {@link #readMessage()} loses nothing; a timeout
 * inside a typed helper or {@code simpleQuery} aborts the connection, since the command's answer
 * is still on its way.
 *
 * <p><b>Failures.</b> I/O failures and protocol violations abort the connection and throw
 * {@link CellarException} ({@code CONNECTION_FAILED}, retryable; {@code PROTOCOL_ERROR}); an
 * ErrorResponse to a command throws {@link ServerErrorException}. Messages name the server.
 */
public final class ReplicationConnection implements AutoCloseable {
    private final Socket socket;
    private final MessageReader reader;
    private final MessageWriter writer;
    private final Endpoint endpoint;
    private final String user;
    private final Map<String, String> parameters;
    private final BackendKeyData keyData;
    private final AuthenticationMethod authenticationMethod;
    private final SSLSession tls;
    private final CommandRunner commands;

    private boolean busy;
    private boolean clientCopyOpen;
    private boolean serverCopyOpen;
    private Duration readTimeout = Duration.ZERO;
    private volatile boolean closed;

    ReplicationConnection(Socket socket, MessageReader reader, MessageWriter writer, Endpoint endpoint, String user,
                          StartupHandshake.Outcome outcome, SSLSession tls) {
        this.socket = socket;
        this.reader = reader;
        this.writer = writer;
        this.endpoint = endpoint;
        this.user = user;
        this.parameters = new LinkedHashMap<>(outcome.parameters());
        this.keyData = outcome.keyData();
        this.authenticationMethod = outcome.method();
        this.tls = tls;
        this.commands = new CommandRunner(this);
    }

    /** The endpoint this connection was made to. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** The role logged in. */
    public String user() {
        return user;
    }

    /** How the login was authenticated (for example to check that channel binding was used). */
    public AuthenticationMethod authenticationMethod() {
        return authenticationMethod;
    }

    /** The TLS session, or empty on a plain connection. */
    public Optional<SSLSession> tlsSession() {
        return Optional.ofNullable(tls);
    }

    /** The latest value the server reported for a parameter ({@code server_version}, {@code in_hot_standby}, …). */
    public Optional<String> parameterStatus(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    /** Every reported parameter, name → latest value. */
    public Map<String, String> parameterStatuses() {
        return Map.copyOf(parameters);
    }

    /**
     * The server version as {@code server_version_num} writes it (170011 for 17.11), from the
     * reported {@code server_version} ({@code server_version_num} itself is not reported).
     *
     * @throws CellarException {@link ErrorCode#PROTOCOL_ERROR} if the server did not report a parsable version
     */
    public int serverVersionNum() {
        String version = parameters.get("server_version");
        if (version == null) {
            throw failure(ErrorCode.PROTOCOL_ERROR, "the server did not report server_version", null);
        }
        return ServerVersions.parse(version).orElseThrow(() -> failure(ErrorCode.PROTOCOL_ERROR,
                "cannot read the server version from \"" + version + "\"", null));
    }

    /** The walsender's process id (as in {@code pg_stat_replication.pid}). */
    public int backendProcessId() {
        return keyData == null ? 0 : keyData.processId();
    }

    // ---------------------------------------------------------------- typed commands

    /** Runs IDENTIFY_SYSTEM. */
    public SystemIdentification identifySystem() {
        return ReplicationCommands.identifySystem(simpleQuery("IDENTIFY_SYSTEM"));
    }

    /** Runs {@code SHOW name} and returns the value as the server prints it (e.g. {@code 16MB}). */
    public String show(String parameter) {
        return ReplicationCommands.showValue(simpleQuery(ReplicationCommands.show(parameter)));
    }

    /** Runs TIMELINE_HISTORY; timeline 1 has no history file (the server reports an error). */
    public TimelineHistoryContent timelineHistory(TimelineId timeline) {
        return ReplicationCommands.timelineHistoryContent(timeline, simpleQuery(ReplicationCommands.timelineHistory(timeline)));
    }

    /** Runs READ_REPLICATION_SLOT (15+); empty if no slot has that name. */
    public Optional<ReplicationSlotInfo> readReplicationSlot(String slotName) {
        return ReplicationCommands.replicationSlotInfo(simpleQuery(ReplicationCommands.readReplicationSlot(slotName)));
    }

    /**
     * Creates a persistent physical slot; an existing slot of that name is reported, not an error.
     *
     * @param reserveWal whether the slot retains WAL from now on (otherwise only once streamed from)
     */
    public SlotCreation createPhysicalSlot(String slotName, boolean reserveWal) {
        return commands.createPhysicalSlot(slotName, reserveWal);
    }

    /**
     * Drops a slot.
     *
     * @param waitIfActive wait until a client using the slot goes away (else an active slot is an error)
     * @return false if no slot had that name
     */
    public boolean dropSlot(String slotName, boolean waitIfActive) {
        return commands.dropSlot(slotName, waitIfActive);
    }

    /**
     * Runs one command with the simple query protocol and collects its result. Commands that start
     * a COPY are refused by aborting the connection: use {@link #sendQuery(String)} for those.
     *
     * @throws ServerErrorException if the server answers with an error (the connection stays usable
     *     unless the error was fatal)
     */
    public QueryResult simpleQuery(String command) {
        return commands.run(command);
    }

    // ---------------------------------------------------------------- low level

    /**
     * Sends a Query and flushes. Read the answer with {@link #readMessage()} up to ReadyForQuery.
     *
     * @throws IllegalStateException if the previous command has not reached ReadyForQuery
     */
    public void sendQuery(String command) {
        requireOpen();
        if (busy) {
            throw new IllegalStateException("the previous command on " + endpoint + " has not finished (no ReadyForQuery yet)");
        }
        try {
            writer.query(command);
            writer.flush();
        } catch (IOException e) {
            throw broken(e);
        }
        busy = true;
    }

    /**
     * Reads the next message. Also tracks the connection's state: ParameterStatus updates
     * {@link #parameterStatus}, copy responses open the copy directions, CopyDone, CommandComplete
     * and ErrorResponse close them, ReadyForQuery ends the command. NoticeResponse and
     * ParameterStatus are returned too; callers skip what they do not need.
     *
     * @throws SocketTimeoutException if no complete message arrived within the read timeout; the
     *     connection is unharmed and the next call continues where this one stopped
     */
    public BackendMessage readMessage() throws SocketTimeoutException {
        requireOpen();
        BackendMessage message;
        try {
            message = reader.read();
        } catch (SocketTimeoutException e) {
            if (closed) {
                throw broken(e);
            }
            throw e;
        } catch (IOException e) {
            throw broken(e);
        } catch (CellarException e) {
            abort();
            throw failure(e.code(), e.getMessage(), e);
        }
        track(message);
        return message;
    }

    private void track(BackendMessage message) {
        switch (message) {
            case ReadyForQuery ready -> {
                busy = false;
                clientCopyOpen = false;
                serverCopyOpen = false;
            }
            case CopyResponse copy -> {
                clientCopyOpen = copy.direction() != BackendMessage.CopyDirection.OUT;
                serverCopyOpen = copy.direction() != BackendMessage.CopyDirection.IN;
            }
            case CopyDone done -> serverCopyOpen = false;
            case CommandComplete complete -> {
                clientCopyOpen = false;
                serverCopyOpen = false;
            }
            case ErrorResponse error -> {
                clientCopyOpen = false;
                serverCopyOpen = false;
            }
            case ParameterStatus status -> parameters.put(status.name(), status.value());
            default -> {
                // Data messages change no state.
            }
        }
    }

    /** Whether the next {@link #readMessage()} is already buffered and will not block. */
    public boolean hasBufferedMessage() {
        return !closed && reader.hasBufferedMessage();
    }

    /**
     * Buffers a CopyData message with the buffer's remaining bytes (its position does not move);
     * call {@link #flush()} to send. Large payloads go straight to the socket.
     *
     * @throws IllegalStateException unless the server opened a CopyIn or CopyBoth that the client has not ended
     */
    public void sendCopyData(ByteBuffer payload) {
        requireClientCopy();
        try {
            writer.copyData(payload);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** As {@link #sendCopyData(ByteBuffer)}, from an array slice. */
    public void sendCopyData(byte[] data, int offset, int length) {
        requireClientCopy();
        try {
            writer.copyData(data, offset, length);
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /** Ends the client's side of the copy (CopyDone) and flushes. */
    public void sendCopyDone() {
        requireClientCopy();
        clientCopyOpen = false;
        writer.copyDone();
        flush();
    }

    /** Aborts a CopyIn/CopyBoth with a reason the server puts into its error, and flushes. */
    public void sendCopyFail(String reason) {
        requireClientCopy();
        clientCopyOpen = false;
        writer.copyFail(reason);
        flush();
    }

    /** Sends whatever is buffered. */
    public void flush() {
        requireOpen();
        try {
            writer.flush();
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /**
     * How long a read may block; {@link Duration#ZERO} blocks indefinitely (the default). A
     * streaming loop sets a few seconds so it wakes up to send status updates.
     */
    public void setReadTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative read timeout " + timeout);
        }
        requireOpen();
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(timeout.isZero() ? 0 : 1, timeout.toMillis())));
        } catch (IOException e) {
            throw broken(e);
        }
        readTimeout = timeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    /** Whether the last command reached ReadyForQuery (a new one may be sent). */
    public boolean isIdle() {
        return !busy && !closed;
    }

    /** Whether the client may still send CopyData (a CopyIn or CopyBoth is open on its side). */
    public boolean isCopyInOpen() {
        return clientCopyOpen;
    }

    /** Whether the server may still send CopyData (a CopyOut or CopyBoth is open on its side). */
    public boolean isCopyOutOpen() {
        return serverCopyOpen;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Asks the server to cancel the running command (a CancelRequest on a separate connection).
     * Thread-safe. Best effort, as in libpq: the command may finish before the request arrives.
     */
    public void cancel() {
        if (keyData == null) {
            throw new IllegalStateException("the server at " + endpoint + " sent no cancel key (BackendKeyData)");
        }
        CancelRequest.send((InetSocketAddress) socket.getRemoteSocketAddress(), keyData, endpoint);
    }

    /** Closes the socket at once, without Terminate. Thread-safe; idempotent. */
    public void abort() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is all we wanted.
        }
    }

    /** Sends Terminate (if the connection is healthy) and closes the socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            writer.terminate();
            writer.flush();
        } catch (IOException | RuntimeException ignored) {
            // The server notices the closed socket instead.
        }
        abort();
    }

    @Override
    public String toString() {
        return "ReplicationConnection[" + endpoint + ", user=" + user + ", " + (tls == null ? "plain" : tls.getProtocol())
                + ", " + authenticationMethod + (closed ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- for CommandRunner

    CellarException broken(IOException e) {
        boolean wasClosed = closed;
        abort();
        String what = e instanceof EOFException ? "the server closed the connection"
                : wasClosed ? "the connection was closed" : "I/O failure: " + e.getMessage();
        return failure(ErrorCode.CONNECTION_FAILED, what, e);
    }

    CellarException failure(ErrorCode code, String what, Throwable cause) {
        String hint = cause instanceof CellarException c ? c.hint().orElse(null) : null;
        return new CellarException(code, "replication connection to " + endpoint + " (user \"" + user + "\"): " + what,
                hint, cause);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the replication connection to " + endpoint + " is closed");
        }
    }

    private void requireClientCopy() {
        requireOpen();
        if (!clientCopyOpen) {
            throw new IllegalStateException("no CopyIn or CopyBoth is open towards " + endpoint);
        }
    }
}
