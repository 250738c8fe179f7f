package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.MessageWriter;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The SSLRequest exchange and the TLS handshake on top of an open TCP socket ([proto]
 * protocol-flow-ssl). Stateless.
 *
 * <p>Two published libpq vulnerabilities shape this code:
 * <ul>
 *   <li>CVE-2021-23222: exactly one byte is read as the answer, straight from the socket with no
 *       buffering, so bytes a machine in the middle appends after 'S' reach the TLS engine (which
 *       rejects them) instead of being taken for server messages.</li>
 *   <li>CVE-2024-10977: an ErrorResponse instead of 'S'/'N' comes from an unauthenticated peer; its
 *       text is never read or shown. It is treated like 'N' (old servers answered this way).</li>
 * </ul>
 */
final class TlsUpgrade {
    /** The server's one-byte answer to SSLRequest. */
    enum Answer {
        /** 'S': go ahead with the TLS handshake. */
        ACCEPTED,
        /** 'N': this server does not do TLS (ssl=off or not built with it). */
        REFUSED,
        /** 'E': an ErrorResponse; the server closes the connection after it. */
        ERROR_RESPONSE
    }

    private TlsUpgrade() {
    }

    /** Sends SSLRequest and reads the one-byte answer. */
    static Answer request(Socket socket, Deadline deadline) throws IOException {
        MessageWriter writer = new MessageWriter(socket.getOutputStream());
        writer.sslRequest();
        writer.flush();
        deadline.applyTo(socket);
        InputStream in = socket.getInputStream();
        int answer = in.read();
        return switch (answer) {
            case 'S' -> Answer.ACCEPTED;
            case 'N' -> Answer.REFUSED;
            case 'E' -> Answer.ERROR_RESPONSE;
            case -1 -> throw new EOFException("the server closed the connection after SSLRequest");
            default -> throw new CellarException(ErrorCode.PROTOCOL_ERROR,
                    "protocol violation: the answer to SSLRequest is byte 0x%02X, not 'S' or 'N' (is the peer a PostgreSQL server?)"
                            .formatted(answer));
        };
    }

    /**
     * Wraps the socket in TLS and completes the handshake. Verify-full checks the host name as
     * HTTPS does (DNS name or IP address in the subject alternative names); SNI is sent for DNS
     * names (not for IP literals), and ALPN offers {@code postgresql} as libpq 17 does (servers
     * before 17 ignore it).
     */
    static SSLSocket handshake(Socket socket, SSLContext context, Endpoint endpoint, SslMode mode, Deadline deadline)
            throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, endpoint.host(), endpoint.port(), true);
        SSLParameters parameters = tls.getSSLParameters();
        if (mode == SslMode.VERIFY_FULL) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        parameters.setApplicationProtocols(new String[] {"postgresql"});
        tls.setSSLParameters(parameters);
        deadline.applyTo(tls);
        tls.startHandshake();
        return tls;
    }
}
