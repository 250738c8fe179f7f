package dev.cellar.walreceiver.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.ServerErrorException;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.BackendMessage.CopyDirection;
import dev.cellar.walreceiver.protocol.ServerDiagnostic;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;

/**
 * {@code UPLOAD_MANIFEST} (PostgreSQL 17+, PROTOCOL.md §7): hands the parent backup's manifest to
 * the walsender, which keeps it for the next {@code BASE_BACKUP (INCREMENTAL)} on the same
 * connection. The server parses it as it arrives and rejects a manifest of another system or an
 * old version.
 */
public final class ManifestUpload {
    /** CopyData payloads of this size, as pg_basebackup sends them. */
    private static final int CHUNK = 128 * 1024;

    private ManifestUpload() {
    }

    /**
     * Uploads {@code manifest} (read to its end, not closed).
     *
     * @throws ServerErrorException if the server rejects it
     * @throws CellarException {@link ErrorCode#BACKUP_FAILED} if reading the manifest fails (the
     *     upload is aborted with CopyFail and the connection stays usable)
     */
    public static void upload(ReplicationConnection connection, InputStream manifest) {
        connection.sendQuery("UPLOAD_MANIFEST");
        ServerDiagnostic error = null;
        boolean sent = false;
        RuntimeException readFailure = null;
        while (true) {
            BackendMessage message;
            try {
                message = connection.readMessage();
            } catch (SocketTimeoutException e) {
                connection.abort();
                throw new CellarException(ErrorCode.CONNECTION_FAILED, "UPLOAD_MANIFEST to " + connection.endpoint()
                        + ": no answer within the read timeout", null, e);
            }
            switch (message) {
                case BackendMessage.CopyResponse copy -> {
                    if (copy.direction() != CopyDirection.IN || sent) {
                        connection.abort();
                        throw new CellarException(ErrorCode.PROTOCOL_ERROR, "UPLOAD_MANIFEST to " + connection.endpoint()
                                + ": unexpected " + copy.direction() + " copy");
                    }
                    sent = true;
                    readFailure = send(connection, manifest);
                }
                case BackendMessage.ErrorResponse response -> {
                    error = response.diagnostic();
                    if (error.isFatal()) {
                        connection.abort();
                        throw rejected(connection, error);
                    }
                }
                case BackendMessage.ReadyForQuery ready -> {
                    if (readFailure != null) {
                        throw readFailure;
                    }
                    if (error != null) {
                        throw rejected(connection, error);
                    }
                    if (!sent) {
                        connection.abort();
                        throw new CellarException(ErrorCode.PROTOCOL_ERROR, "UPLOAD_MANIFEST to " + connection.endpoint()
                                + " ended without asking for the manifest");
                    }
                    return;
                }
                case BackendMessage.CommandComplete complete -> {
                    // UPLOAD_MANIFEST
                }
                case BackendMessage.NoticeResponse notice -> {
                    // Nothing the upload needs.
                }
                case BackendMessage.ParameterStatus status -> {
                    // Recorded by the connection.
                }
                default -> {
                    connection.abort();
                    throw new CellarException(ErrorCode.PROTOCOL_ERROR, "UPLOAD_MANIFEST to " + connection.endpoint()
                            + ": unexpected " + message.getClass().getSimpleName());
                }
            }
        }
    }

    private static RuntimeException send(ReplicationConnection connection, InputStream manifest) {
        byte[] buffer = new byte[CHUNK];
        try {
            int n;
            while ((n = manifest.readNBytes(buffer, 0, buffer.length)) > 0) {
                connection.sendCopyData(buffer, 0, n);
            }
        } catch (IOException | UncheckedIOException | CellarException e) {
            connection.sendCopyFail("Cellar could not read the parent backup's manifest");
            return new CellarException(ErrorCode.BACKUP_FAILED, "could not read the parent backup's manifest to upload it to "
                    + connection.endpoint() + ": " + e.getMessage(), null, e);
        }
        connection.sendCopyDone();
        return null;
    }

    private static ServerErrorException rejected(ReplicationConnection connection, ServerDiagnostic error) {
        return new ServerErrorException("UPLOAD_MANIFEST to " + connection.endpoint() + " was refused: " + error, error,
                "the parent backup's manifest must come from this cluster and PostgreSQL 17 or later");
    }
}
