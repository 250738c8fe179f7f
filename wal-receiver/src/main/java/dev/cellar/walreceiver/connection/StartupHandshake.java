package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.BackendMessage.Authentication;
import dev.cellar.walreceiver.protocol.BackendMessage.BackendKeyData;
import dev.cellar.walreceiver.protocol.BackendMessage.ErrorResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.NegotiateProtocolVersion;
import dev.cellar.walreceiver.protocol.BackendMessage.NoticeResponse;
import dev.cellar.walreceiver.protocol.BackendMessage.ParameterStatus;
import dev.cellar.walreceiver.protocol.BackendMessage.ReadyForQuery;
import dev.cellar.walreceiver.protocol.MessageReader;
import dev.cellar.walreceiver.protocol.MessageWriter;
import java.io.IOException;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The startup phase on an open (possibly TLS) socket: StartupMessage, authentication, then the
 * ParameterStatus and BackendKeyData messages up to the first ReadyForQuery ([proto]
 * protocol-flow-start-up). Every read is bounded by the attempt's {@link Deadline}.
 *
 * <p>Startup parameters: {@code user}, {@code replication=true} and, if set, {@code application_name}.
 * {@code replication=true} asks for a physical walsender, and it is what makes pg_hba.conf match the
 * {@code replication} keyword in its database column (and only that keyword, never {@code all});
 * no database is sent because a physical walsender connects to none (pg_basebackup's
 * {@code dbname=replication} is only libpq's placeholder for the same thing).
 */
final class StartupHandshake {
    private static final Logger LOG = LoggerFactory.getLogger(StartupHandshake.class);

    /** What the server told us during startup. */
    record Outcome(Map<String, String> parameters, BackendKeyData keyData, AuthenticationMethod method) {
    }

    private final Socket socket;
    private final MessageReader reader;
    private final MessageWriter writer;
    private final ReplicationConnectionSettings settings;
    private final Endpoint endpoint;
    private final Deadline deadline;
    private final SSLSession tls;

    StartupHandshake(Socket socket, MessageReader reader, MessageWriter writer, ReplicationConnectionSettings settings,
                     Endpoint endpoint, Deadline deadline, SSLSession tls) {
        this.socket = socket;
        this.reader = reader;
        this.writer = writer;
        this.settings = settings;
        this.endpoint = endpoint;
        this.deadline = deadline;
        this.tls = tls;
    }

    /** The startup parameters Cellar sends, in order. */
    static Map<String, String> startupParameters(ReplicationConnectionSettings settings) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("user", settings.user());
        parameters.put("replication", "true");
        settings.applicationName().ifPresent(name -> parameters.put("application_name", name));
        return parameters;
    }

    /**
     * @throws ServerErrorException when the server refuses the login (its ErrorResponse)
     * @throws CellarException {@code AUTHENTICATION_FAILED} or {@code PROTOCOL_ERROR} from our side
     * @throws IOException on I/O failure or timeout
     */
    Outcome run() throws IOException {
        writer.startupMessage(startupParameters(settings));
        writer.flush();
        Authenticator authenticator = new Authenticator(settings, writer, tls);
        boolean authenticated = false;
        Map<String, String> parameters = new LinkedHashMap<>();
        BackendKeyData keyData = null;
        while (true) {
            deadline.applyTo(socket);
            BackendMessage message = reader.read();
            switch (message) {
                case Authentication request -> {
                    if (authenticated) {
                        throw violation("an authentication request after AuthenticationOk");
                    }
                    authenticated = authenticator.handle(request);
                }
                case ErrorResponse error -> throw StartupErrors.refused(error.diagnostic(), settings.user());
                case NoticeResponse notice -> LOG.info("{}: {}", endpoint, notice.diagnostic());
                case NegotiateProtocolVersion negotiate -> LOG.debug("{}: server supports protocol 3.{} (options not recognised: {})",
                        endpoint, negotiate.newestMinorVersion(), negotiate.unrecognizedOptions());
                case ParameterStatus status -> {
                    requireAuthenticated(authenticated, "ParameterStatus");
                    parameters.put(status.name(), status.value());
                }
                case BackendKeyData key -> {
                    requireAuthenticated(authenticated, "BackendKeyData");
                    keyData = key;
                }
                case ReadyForQuery ready -> {
                    requireAuthenticated(authenticated, "ReadyForQuery");
                    return new Outcome(parameters, keyData, authenticator.method());
                }
                default -> throw violation("unexpected " + message.getClass().getSimpleName() + " during startup");
            }
        }
    }

    private static void requireAuthenticated(boolean authenticated, String what) {
        // A server (or a machine in the middle) that skips authentication must not get a session.
        if (!authenticated) {
            throw violation(what + " before AuthenticationOk");
        }
    }

    private static CellarException violation(String what) {
        return new CellarException(ErrorCode.PROTOCOL_ERROR, "protocol violation during startup: " + what);
    }
}
