package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.MessageReader;
import dev.cellar.walreceiver.protocol.MessageWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import jdk.net.ExtendedSocketOptions;

/**
 * Connects to one address of one endpoint and logs in, applying the sslmode rules of libpq:
 * <ul>
 *   <li>disable: plain.</li>
 *   <li>allow: plain; if the server refuses that login (an ErrorResponse, e.g. a {@code hostssl}-only
 *       pg_hba.conf), once more with TLS required.</li>
 *   <li>prefer: SSLRequest; TLS on 'S', plain on the same socket on 'N', plain on a new socket after
 *       an ErrorResponse; if the TLS handshake itself fails, once more in plain.</li>
 *   <li>require, verify-ca, verify-full: TLS or fail.</li>
 * </ul>
 * Each attempt (and each retry) has its own connect timeout, as in libpq. Not thread-safe.
 */
final class HostAttempt {
    /** TCP keepalive: first probe after 60 s idle, then every 10 s, give up after 6 (about 2 minutes). */
    private static final int KEEPALIVE_IDLE_SECONDS = 60;
    private static final int KEEPALIVE_INTERVAL_SECONDS = 10;
    private static final int KEEPALIVE_COUNT = 6;

    private enum Tls { NEVER, IF_OFFERED, REQUIRED }

    /** The TLS handshake failed after the server said 'S' (prefer falls back to plain). */
    private static final class HandshakeFailed extends Exception {
        private static final long serialVersionUID = 1L;

        HandshakeFailed(CellarException failure) {
            super(failure);
        }

        CellarException failure() {
            return (CellarException) getCause();
        }
    }

    private final ReplicationConnectionSettings settings;
    private final Supplier<SSLContext> tlsContext;
    private final Endpoint endpoint;
    private final InetAddress address;

    HostAttempt(ReplicationConnectionSettings settings, Supplier<SSLContext> tlsContext, Endpoint endpoint,
                InetAddress address) {
        this.settings = settings;
        this.tlsContext = tlsContext;
        this.endpoint = endpoint;
        this.address = address;
    }

    /**
     * @throws CellarException whose message is the reason only (the caller names the server);
     *     a {@link ServerErrorException} if the server refused the login
     */
    ReplicationConnection connect() {
        try {
            return switch (settings.sslMode()) {
                case DISABLE -> open(Tls.NEVER);
                case ALLOW -> connectAllow();
                case PREFER -> connectPrefer();
                case REQUIRE, VERIFY_CA, VERIFY_FULL -> open(Tls.REQUIRED);
            };
        } catch (HandshakeFailed e) {
            throw e.failure();
        }
    }

    private ReplicationConnection connectAllow() throws HandshakeFailed {
        try {
            return open(Tls.NEVER);
        } catch (ServerErrorException plainRefused) {
            try {
                return open(Tls.REQUIRED);
            } catch (CellarException tlsFailed) {
                CellarException both = new CellarException(tlsFailed.code(), "without TLS: " + plainRefused.getMessage()
                        + "; with TLS: " + tlsFailed.getMessage(), tlsFailed.hint().orElse(plainRefused.hint().orElse(null)),
                        tlsFailed);
                both.addSuppressed(plainRefused);
                throw both;
            }
        }
    }

    private ReplicationConnection connectPrefer() {
        try {
            return open(Tls.IF_OFFERED);
        } catch (HandshakeFailed tlsFailed) {
            try {
                return open(Tls.NEVER);
            } catch (HandshakeFailed impossible) {
                throw new IllegalStateException("no TLS handshake without TLS", impossible);
            }
        }
    }

    private ReplicationConnection open(Tls tls) throws HandshakeFailed {
        Deadline deadline = Deadline.after(settings.connectTimeout());
        Socket socket = new Socket();
        Socket active = socket;
        String phase = "while connecting";
        try {
            configure(socket);
            socket.connect(new InetSocketAddress(address, endpoint.port()), deadline.remainingMillis());
            SSLSocket secured = null;
            if (tls != Tls.NEVER) {
                phase = "waiting for the answer to SSLRequest";
                switch (TlsUpgrade.request(socket, deadline)) {
                    case ACCEPTED -> {
                        phase = "during the TLS handshake";
                        secured = handshake(socket, deadline);
                        active = secured;
                    }
                    case REFUSED -> {
                        if (tls == Tls.REQUIRED) {
                            throw new CellarException(ErrorCode.CONNECTION_FAILED,
                                    "the server does not accept TLS (it answered 'N' to SSLRequest), but sslmode="
                                            + settings.sslMode().keyword() + " requires it",
                                    "Turn ssl on in the server's postgresql.conf, or lower sslmode.");
                        }
                    }
                    case ERROR_RESPONSE -> {
                        closeQuietly(socket);
                        if (tls == Tls.REQUIRED) {
                            throw new CellarException(ErrorCode.CONNECTION_FAILED,
                                    "the server answered SSLRequest with an error (its text is not shown: it comes from "
                                            + "an unauthenticated peer), so TLS is not available, but sslmode="
                                            + settings.sslMode().keyword() + " requires it");
                        }
                        return open(Tls.NEVER);
                    }
                }
            }
            phase = "during startup";
            MessageReader reader = new MessageReader(active.getInputStream());
            MessageWriter writer = new MessageWriter(active.getOutputStream());
            StartupHandshake.Outcome outcome = new StartupHandshake(active, reader, writer, settings, endpoint, deadline,
                    secured == null ? null : secured.getSession()).run();
            active.setSoTimeout(0);
            return new ReplicationConnection(active, reader, writer, endpoint, settings.user(), outcome,
                    secured == null ? null : secured.getSession());
        } catch (IOException e) {
            closeQuietly(active);
            throw StartupErrors.io(e, deadline, phase);
        } catch (RuntimeException e) {
            closeQuietly(active);
            throw e;
        }
    }

    private SSLSocket handshake(Socket socket, Deadline deadline) throws HandshakeFailed, IOException {
        try {
            return TlsUpgrade.handshake(socket, tlsContext.get(), endpoint, settings.sslMode(), deadline);
        } catch (IOException e) {
            closeQuietly(socket);
            CellarException failure = StartupErrors.io(e, deadline, "during the TLS handshake");
            if (settings.sslMode() == SslMode.PREFER) {
                throw new HandshakeFailed(failure);
            }
            throw failure;
        }
    }

    private static void configure(Socket socket) throws SocketException {
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        setIfSupported(socket, ExtendedSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
        setIfSupported(socket, ExtendedSocketOptions.TCP_KEEPINTERVAL, KEEPALIVE_INTERVAL_SECONDS);
        setIfSupported(socket, ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_COUNT);
    }

    private static void setIfSupported(Socket socket, java.net.SocketOption<Integer> option, int value) {
        if (socket.supportedOptions().contains(option)) {
            try {
                socket.setOption(option, value);
            } catch (IOException | UnsupportedOperationException ignored) {
                // The platform's defaults stay in force; keepalive itself is on.
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do about a socket that cannot be closed.
        }
    }
}
