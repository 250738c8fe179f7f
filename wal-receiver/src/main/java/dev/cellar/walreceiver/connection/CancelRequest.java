package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.BackendMessage.BackendKeyData;
import dev.cellar.walreceiver.protocol.MessageWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Sends a CancelRequest ([proto] protocol-flow-canceling-requests): a new plain TCP connection
 * carrying only the walsender's process id and secret key; the server closes it without an
 * answer. Plain TCP is what every server accepts for cancel requests, whatever pg_hba.conf says,
 * since no login happens on that connection. Stateless and thread-safe.
 */
final class CancelRequest {
    private static final int TIMEOUT_MILLIS = 10_000;

    private CancelRequest() {
    }

    static void send(InetSocketAddress server, BackendKeyData key, Endpoint endpoint) {
        try (Socket socket = new Socket()) {
            socket.connect(server, TIMEOUT_MILLIS);
            MessageWriter writer = new MessageWriter(socket.getOutputStream());
            writer.cancelRequest(key.processId(), key.secretKey());
            writer.flush();
            // Waiting for the server to close the socket tells us the request was read.
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.getInputStream().read();
        } catch (IOException e) {
            throw new CellarException(ErrorCode.CONNECTION_FAILED,
                    "cannot send a cancel request to " + endpoint + ": " + e.getMessage(), null, e);
        }
    }
}
