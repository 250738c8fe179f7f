package dev.cellar.walreceiver.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.ServerErrorException;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.BackendMessage.CommandComplete;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyData;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDirection;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDone;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.DataRow;
import dev.cellar.walreceiver.protocol.BackendMessage.ErrorResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.NoticeResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ParameterStatus;
import dev.cellar.walreceiver.protocol.BackendMessage.ReadyForQuery;
import dev.cellar.walreceiver.protocol.BackendMessage.RowDescription;
import dev.cellar.walreceiver.protocol.ServerDiagnostic;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@code BASE_BACKUP} on a replication connection and decodes its answer (PROTOCOL.md §5):
 * the start position, the tablespace list, one CopyOut whose messages are typed by their first
 * byte ({@code n} new archive, {@code d} data, {@code p} progress, {@code m} manifest follows),
 * then the end position. Everything between is handed to a {@link BaseBackupSink}.
 *
 * <p>On any failure (server error, protocol violation, sink exception) the connection is aborted
 * rather than drained: closing the walsender's socket makes the server abort its backup, which is
 * both faster and the only way to stop a stream the sink can no longer accept. Not thread-safe;
 * another thread may {@link ReplicationConnection#abort() abort} the connection to cancel.
 */
public final class BaseBackupExchange {
    private static final Logger LOG = LoggerFactory.getLogger(BaseBackupExchange.class);

    private final ReplicationConnection connection;
    private final BaseBackupSink sink;

    private int resultSets;
    private final List<BaseBackupStart.TablespaceEntry> tablespaces = new ArrayList<>();
    private Lsn startLsn;
    private TimelineId startTimeline;
    private Lsn endLsn;
    private TimelineId endTimeline;
    private boolean copyStarted;
    private boolean archiveOpen;
    private boolean manifestStarted;
    private final List<String> warnings = new ArrayList<>();
    private ServerDiagnostic error;

    private BaseBackupExchange(ReplicationConnection connection, BaseBackupSink sink) {
        this.connection = connection;
        this.sink = sink;
    }

    /**
     * Sends {@code options.command()} and feeds the answer to {@code sink} until ReadyForQuery.
     *
     * @throws ServerErrorException if the server refused or failed the backup
     * @throws CellarException {@link ErrorCode#PROTOCOL_ERROR} for an answer out of order,
     *     {@link ErrorCode#CONNECTION_FAILED} if the connection broke; whatever the sink threw
     */
    public static BaseBackupResult run(ReplicationConnection connection, BaseBackupOptions options, BaseBackupSink sink) {
        BaseBackupExchange exchange = new BaseBackupExchange(connection, sink);
        String command = options.command();
        connection.sendQuery(command);
        try {
            return exchange.receive(command);
        } catch (RuntimeException | Error e) {
            connection.abort();
            throw e;
        }
    }

    private BaseBackupResult receive(String command) {
        while (true) {
            BackendMessage message = next();
            switch (message) {
                case RowDescription description -> onRowDescription(description);
                case DataRow row -> onDataRow(row);
                case CommandComplete complete -> {
                    // "SELECT" after each result set; "BASE_BACKUP" for the command itself.
                }
                case CopyResponse copy -> onCopyResponse(copy);
                case CopyData data -> onCopyData(data.payload());
                case CopyDone done -> endArchive();
                case ErrorResponse response -> {
                    error = response.diagnostic();
                    if (error.isFatal()) {
                        throw serverError(command);
                    }
                }
                case NoticeResponse notice -> onNotice(notice.diagnostic());
                case ParameterStatus status -> {
                    // Recorded by the connection.
                }
                case ReadyForQuery ready -> {
                    if (error != null) {
                        throw serverError(command);
                    }
                    if (endLsn == null) {
                        throw violation("the command ended without reporting its end position");
                    }
                    return new BaseBackupResult(new BaseBackupStart(startLsn, startTimeline, tablespaces), endLsn,
                            endTimeline, warnings);
                }
                default -> throw violation("unexpected " + message.getClass().getSimpleName());
            }
        }
    }

    private BackendMessage next() {
        try {
            return connection.readMessage();
        } catch (SocketTimeoutException e) {
            throw new CellarException(ErrorCode.CONNECTION_FAILED, "base backup from " + connection.endpoint()
                    + ": no data within the read timeout of " + connection.readTimeout().toMillis() + " ms", null, e);
        }
    }

    private void onRowDescription(RowDescription description) {
        resultSets++;
        List<String> names = description.fields().stream().map(BackendMessage.RowDescription.Field::name).toList();
        List<String> expected = switch (resultSets) {
            case 1, 3 -> List.of("recptr", "tli");
            case 2 -> List.of("spcoid", "spclocation", "size");
            default -> throw violation("a result set more than the three expected");
        };
        if (!names.equals(expected)) {
            throw violation("result set " + resultSets + " has columns " + names + ", expected " + expected);
        }
        if (resultSets == 3 && !copyStarted) {
            throw violation("the end position arrived before any data");
        }
    }

    private void onDataRow(DataRow row) {
        switch (resultSets) {
            case 1 -> {
                if (startLsn != null) {
                    throw violation("two start positions");
                }
                startLsn = Lsn.parse(text(row, 0, "recptr"));
                startTimeline = TimelineId.parse(text(row, 1, "tli"));
            }
            case 2 -> tablespaces.add(new BaseBackupStart.TablespaceEntry(optionalLong(row, 0, "spcoid"),
                    optionalText(row, 1), optionalLong(row, 2, "size")));
            case 3 -> {
                if (endLsn != null) {
                    throw violation("two end positions");
                }
                endLsn = Lsn.parse(text(row, 0, "recptr"));
                endTimeline = TimelineId.parse(text(row, 1, "tli"));
            }
            default -> throw violation("a data row outside any result set");
        }
    }

    private void onCopyResponse(CopyResponse copy) {
        if (copy.direction() != CopyDirection.OUT || copyStarted || resultSets != 2 || startLsn == null) {
            throw violation("a " + copy.direction() + " copy where the archive stream should start");
        }
        if (tablespaces.isEmpty() || !tablespaces.getLast().isMainDirectory()) {
            throw violation("the tablespace list does not end with the main data directory");
        }
        copyStarted = true;
        sink.started(new BaseBackupStart(startLsn, startTimeline, tablespaces));
    }

    private void onCopyData(ByteBuffer payload) {
        if (!copyStarted || !payload.hasRemaining()) {
            throw violation("CopyData outside the archive stream, or empty");
        }
        byte type = payload.get();
        switch (type) {
            case 'n' -> {
                if (manifestStarted) {
                    throw violation("a new archive after the manifest");
                }
                endArchive();
                String name = cString(payload, "archive name");
                String path = cString(payload, "tablespace path");
                archiveOpen = true;
                sink.archiveStarted(name, path);
            }
            case 'd' -> {
                if (manifestStarted) {
                    sink.manifestData(payload);
                } else if (archiveOpen) {
                    sink.archiveData(payload);
                } else {
                    throw violation("archive data before any archive began");
                }
            }
            case 'p' -> {
                if (payload.remaining() != Long.BYTES) {
                    throw violation("a progress message of " + payload.remaining() + " bytes");
                }
                sink.progress(payload.getLong());
            }
            case 'm' -> {
                if (manifestStarted) {
                    throw violation("a second manifest");
                }
                endArchive();
                manifestStarted = true;
            }
            default -> throw violation("an archive-stream message of unknown type '" + (char) type + "'");
        }
    }

    private void endArchive() {
        if (archiveOpen) {
            archiveOpen = false;
            sink.archiveEnded();
        }
    }

    private void onNotice(ServerDiagnostic diagnostic) {
        if ("WARNING".equals(diagnostic.severity())) {
            warnings.add(diagnostic.toString());
            LOG.warn("base backup from {}: {}", connection.endpoint(), diagnostic);
        } else {
            LOG.info("base backup from {}: {}", connection.endpoint(), diagnostic);
        }
    }

    private String text(DataRow row, int index, String column) {
        String value = optionalText(row, index);
        if (value.isEmpty()) {
            throw violation("column " + column + " is empty");
        }
        return value;
    }

    private String optionalText(DataRow row, int index) {
        if (row.values().size() <= index) {
            throw violation("a row of " + row.values().size() + " values");
        }
        byte[] value = row.values().get(index);
        return value == null ? "" : new String(value, StandardCharsets.UTF_8);
    }

    private OptionalLong optionalLong(DataRow row, int index, String column) {
        String value = optionalText(row, index);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            throw violation("column " + column + " holds \"" + value + "\", not a number");
        }
    }

    private String cString(ByteBuffer payload, String what) {
        int start = payload.position();
        int end = start;
        while (end < payload.limit() && payload.get(end) != 0) {
            end++;
        }
        if (end == payload.limit()) {
            throw violation("the " + what + " of a new-archive message is not NUL-terminated");
        }
        byte[] bytes = new byte[end - start];
        payload.get(bytes);
        payload.get(); // the NUL
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private CellarException violation(String what) {
        return new CellarException(ErrorCode.PROTOCOL_ERROR, "base backup from " + connection.endpoint()
                + ": protocol violation: " + what, "this is a bug in Cellar or an unsupported server; report it with the server version");
    }

    private ServerErrorException serverError(String command) {
        return new ServerErrorException("base backup from " + connection.endpoint() + " (user \"" + connection.user()
                + "\") failed: " + error, error, hintFor(error));
    }

    private static String hintFor(ServerDiagnostic diagnostic) {
        if (diagnostic.message().contains("does not support compression")) {
            return "the server was built without this compression method: choose another server_compression"
                    + " (gzip is in nearly every build) or none";
        }
        return switch (diagnostic.sqlState()) {
            case "XX001" -> "the server found damaged pages (checksum failures); check its log and repair before trusting any backup";
            case "55000" -> "the server is not in a state that allows a backup; check wal_level, summarize_wal and the message above";
            case "57014" -> "the backup was cancelled";
            default -> null;
        };
    }
}
