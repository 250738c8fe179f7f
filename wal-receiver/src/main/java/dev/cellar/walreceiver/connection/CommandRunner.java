package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.BackendMessage.CommandComplete;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.DataRow;
import dev.cellar.walreceiver.protocol.BackendMessage.EmptyQueryResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ErrorResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.NoticeResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ParameterStatus;
import dev.cellar.walreceiver.protocol.BackendMessage.ReadyForQuery;
import dev.cellar.walreceiver.protocol.BackendMessage.RowDescription;
import dev.cellar.walreceiver.protocol.ServerDiagnostic;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one simple-protocol command to ReadyForQuery on a {@link ReplicationConnection} and turns
 * the messages into a {@link QueryResult} or a {@link ServerErrorException}. Not thread-safe.
 */
final class CommandRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);

    /** SQLSTATE duplicate_object: CREATE_REPLICATION_SLOT of an existing name. */
    static final String DUPLICATE_OBJECT = "42710";
    /** SQLSTATE undefined_object: DROP_REPLICATION_SLOT of a missing name. */
    static final String UNDEFINED_OBJECT = "42704";

    private final ReplicationConnection connection;

    CommandRunner(ReplicationConnection connection) {
        this.connection = connection;
    }

    QueryResult run(String command) {
        connection.sendQuery(command);
        List<QueryResult.Column> columns = List.of();
        List<QueryResult.Row> rows = new ArrayList<>();
        String tag = null;
        ServerDiagnostic error = null;
        while (true) {
            BackendMessage message = next(command);
            switch (message) {
                case RowDescription description -> {
                    if (tag != null) {
                        throw violation(command, "a second result set");
                    }
                    columns = description.fields().stream()
                            .map(f -> new QueryResult.Column(f.name(), f.typeOid())).toList();
                }
                case DataRow row -> rows.add(new QueryResult.Row(row.values()));
                case CommandComplete complete -> {
                    if (tag != null) {
                        throw violation(command, "a second CommandComplete (" + complete.tag() + ")");
                    }
                    tag = complete.tag();
                }
                case EmptyQueryResponse empty -> tag = "";
                case ErrorResponse response -> {
                    error = response.diagnostic();
                    if (error.isFatal()) {
                        connection.abort(); // the server ends the session after a FATAL error
                        throw serverError(command, error);
                    }
                }
                case NoticeResponse notice -> LOG.info("{}: {} (during {})", connection.endpoint(), notice.diagnostic(), command);
                case ParameterStatus status -> {
                    // Already recorded by the connection.
                }
                case ReadyForQuery ready -> {
                    if (error != null) {
                        throw serverError(command, error);
                    }
                    if (tag == null) {
                        throw violation(command, "ReadyForQuery without CommandComplete");
                    }
                    return new QueryResult(columns, rows, tag);
                }
                case CopyResponse copy -> throw violation(command, "the command started a COPY (" + copy.direction()
                        + "); such commands must be driven with sendQuery/readMessage");
                default -> throw violation(command, "unexpected " + message.getClass().getSimpleName());
            }
        }
    }

    SlotCreation createPhysicalSlot(String slotName, boolean reserveWal) {
        try {
            run(ReplicationCommands.createPhysicalSlot(slotName, reserveWal));
            return SlotCreation.CREATED;
        } catch (ServerErrorException e) {
            if (e.sqlState().equals(DUPLICATE_OBJECT)) {
                return SlotCreation.ALREADY_EXISTS;
            }
            throw e;
        }
    }

    boolean dropSlot(String slotName, boolean waitIfActive) {
        try {
            run(ReplicationCommands.dropSlot(slotName, waitIfActive));
            return true;
        } catch (ServerErrorException e) {
            if (e.sqlState().equals(UNDEFINED_OBJECT)) {
                return false;
            }
            throw e;
        }
    }

    private BackendMessage next(String command) {
        try {
            return connection.readMessage();
        } catch (SocketTimeoutException e) {
            // The answer is still on its way: the connection cannot be reused for another command.
            connection.abort();
            throw connection.failure(ErrorCode.CONNECTION_FAILED, "no answer to " + command + " within the read timeout of "
                    + connection.readTimeout().toMillis() + " ms", e);
        }
    }

    private CellarException violation(String command, String what) {
        connection.abort();
        return connection.failure(ErrorCode.PROTOCOL_ERROR, "protocol violation in the answer to " + command + ": " + what,
                null);
    }

    private ServerErrorException serverError(String command, ServerDiagnostic diagnostic) {
        return new ServerErrorException("replication connection to " + connection.endpoint() + " (user \""
                + connection.user() + "\"): " + command + " failed: " + diagnostic, diagnostic, null);
    }
}
