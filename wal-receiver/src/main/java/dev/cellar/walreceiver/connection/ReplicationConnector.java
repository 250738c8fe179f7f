package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens physical replication connections: the one place in Cellar that connects to and
 * authenticates with PostgreSQL for replication (WAL streaming, base backups, slot commands).
 *
 * <p>Like libpq with several hosts, it tries each endpoint in order, and each address a host name
 * resolves to: TCP connect, TLS per {@link SslMode}, startup and authentication, then the
 * {@link TargetSessionAttrs} check. The first server that passes wins. If none does, the
 * {@link CellarException} lists every server tried with its reason. Its code is
 * {@link ErrorCode#AUTHENTICATION_FAILED} (permanent) if any server rejected the credentials or
 * the role, since that needs a person whichever server is reachable later; else
 * {@link ErrorCode#PROTOCOL_ERROR} if any server misbehaved; else {@link ErrorCode#CONNECTION_FAILED}
 * (retryable).
 *
 * <p>Immutable and thread-safe; {@link #connect()} blocks for up to the connect timeout per address.
 */
public final class ReplicationConnector {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationConnector.class);

    private final ReplicationConnectionSettings settings;

    public ReplicationConnector(ReplicationConnectionSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Shorthand for {@code new ReplicationConnector(settings).connect()}. */
    public static ReplicationConnection connect(ReplicationConnectionSettings settings) {
        return new ReplicationConnector(settings).connect();
    }

    /** One server that did not work out, and why. */
    private record Failure(Endpoint endpoint, InetAddress address, CellarException error) {
        String where() {
            String where = endpoint.toString();
            if (address != null && !address.getHostAddress().equals(endpoint.host())) {
                where += " (" + address.getHostAddress() + ")";
            }
            return where;
        }

        String describe() {
            return where() + ": " + error.getMessage();
        }
    }

    /**
     * Connects to the first suitable server.
     *
     * @throws CellarException listing every server tried (see the class comment for its code);
     *     {@link ErrorCode#INVALID_VALUE} at once if a certificate or key file is unusable
     */
    public ReplicationConnection connect() {
        Supplier<SSLContext> tlsContext = tlsContext();
        List<TargetSessionAttrs> passes = settings.targetSessionAttrs() == TargetSessionAttrs.PREFER_STANDBY
                ? List.of(TargetSessionAttrs.STANDBY, TargetSessionAttrs.ANY)
                : List.of(settings.targetSessionAttrs());
        List<Failure> failures = new ArrayList<>();
        for (TargetSessionAttrs wanted : passes) {
            for (Endpoint endpoint : settings.endpoints()) {
                InetAddress[] addresses;
                try {
                    addresses = InetAddress.getAllByName(endpoint.host());
                } catch (UnknownHostException e) {
                    failures.add(new Failure(endpoint, null, new CellarException(ErrorCode.CONNECTION_FAILED,
                            "cannot resolve the host name", null, e)));
                    continue;
                }
                for (InetAddress address : addresses) {
                    Optional<ReplicationConnection> connection = tryAddress(endpoint, address, wanted, tlsContext, failures);
                    if (connection.isPresent()) {
                        return connection.get();
                    }
                }
            }
        }
        throw summarize(failures);
    }

    private Optional<ReplicationConnection> tryAddress(Endpoint endpoint, InetAddress address, TargetSessionAttrs wanted,
                                                       Supplier<SSLContext> tlsContext, List<Failure> failures) {
        ReplicationConnection connection;
        try {
            connection = new HostAttempt(settings, tlsContext, endpoint, address).connect();
        } catch (CellarException e) {
            LOG.debug("replication connection to {} ({}) as {} failed: {}", endpoint, address, settings.user(), e.getMessage());
            failures.add(new Failure(endpoint, address, e));
            return Optional.empty();
        }
        try {
            Optional<String> mismatch = SessionAttributes.mismatch(connection, wanted);
            if (mismatch.isPresent()) {
                connection.close();
                failures.add(new Failure(endpoint, address, new CellarException(ErrorCode.CONNECTION_FAILED, mismatch.get())));
                return Optional.empty();
            }
        } catch (CellarException e) {
            connection.abort();
            failures.add(new Failure(endpoint, address, e));
            return Optional.empty();
        }
        LOG.info("replication connection to {} as {}: {}, {}, server {}", endpoint, settings.user(),
                connection.tlsSession().map(s -> s.getProtocol() + " " + s.getCipherSuite()).orElse("no TLS"),
                connection.authenticationMethod(), connection.parameterStatus("server_version").orElse("?"));
        return Optional.of(connection);
    }

    private Supplier<SSLContext> tlsContext() {
        if (settings.sslMode() == SslMode.DISABLE) {
            return () -> {
                throw new IllegalStateException("sslmode=disable: no TLS context");
            };
        }
        SSLContext context = TlsContexts.create(settings); // at once, so unusable PEM files fail before any host is tried
        return () -> context;
    }

    private CellarException summarize(List<Failure> failures) {
        ErrorCode code = failures.stream().map(f -> f.error().code()).anyMatch(c -> c == ErrorCode.AUTHENTICATION_FAILED)
                ? ErrorCode.AUTHENTICATION_FAILED
                : failures.stream().anyMatch(f -> f.error().code() == ErrorCode.PROTOCOL_ERROR)
                ? ErrorCode.PROTOCOL_ERROR : ErrorCode.CONNECTION_FAILED;
        Failure main = failures.stream().filter(f -> f.error().code() == code).findFirst().orElse(failures.getFirst());
        String hint = main.error().hint()
                .or(() -> failures.stream().map(f -> f.error().hint()).flatMap(Optional::stream).findFirst())
                .orElse(null);
        String message;
        if (failures.size() == 1) {
            message = "cannot connect to " + main.where() + " as replication user \"" + escape(settings.user()) + "\": "
                    + main.error().getMessage();
        } else {
            message = "cannot connect as replication user \"" + escape(settings.user()) + "\" to any of "
                    + settings.endpoints().size() + " server(s) (target_session_attrs="
                    + settings.targetSessionAttrs().keyword() + "):" + failures.stream()
                    .map(f -> System.lineSeparator() + "  " + f.describe()).collect(Collectors.joining());
        }
        CellarException summary = new CellarException(code, message, hint, main.error());
        failures.stream().filter(f -> f != main).forEach(f -> summary.addSuppressed(f.error()));
        return summary;
    }

    private static String escape(String user) {
        return user.replace("\"", "\\\"");
    }
}
