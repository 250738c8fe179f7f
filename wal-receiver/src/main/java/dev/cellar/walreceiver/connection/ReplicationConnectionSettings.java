package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything needed to open a physical replication connection, in libpq's terms. The server module
 * maps configuration (a libpq conninfo and a password file) onto this record; wal-receiver does not
 * read configuration itself.
 *
 * <p>Immutable and thread-safe (if the {@link PasswordSource} is). {@link #toString()} never shows
 * the password: the source is not even asked.
 *
 * @param endpoints          servers to try, in order (libpq's {@code host}/{@code port} lists)
 * @param user               the role to log in as; it needs the REPLICATION attribute (or superuser)
 * @param password           asked only when a server requests a password
 * @param applicationName    sent as {@code application_name}: what {@code pg_stat_replication} shows
 *                           and what {@code synchronous_standby_names} matches
 * @param targetSessionAttrs which server to accept
 * @param connectTimeout     per address: TCP connect, TLS, authentication and startup together;
 *                           {@link Duration#ZERO} waits indefinitely (libpq's default)
 * @param sslMode            whether and how to use TLS
 * @param rootCertificate    PEM file of the certificate authorities to trust (libpq's
 *                           {@code sslrootcert}); required by verify-ca and verify-full
 * @param clientCertificate  PEM client certificate chain for {@code cert} authentication ({@code sslcert})
 * @param clientKey          its unencrypted PKCS#8 PEM private key ({@code sslkey})
 * @param channelBinding     whether SCRAM binds to the TLS channel
 */
public record ReplicationConnectionSettings(List<Endpoint> endpoints, String user, PasswordSource password,
                                            Optional<String> applicationName, TargetSessionAttrs targetSessionAttrs,
                                            Duration connectTimeout, SslMode sslMode, Optional<Path> rootCertificate,
                                            Optional<Path> clientCertificate, Optional<Path> clientKey,
                                            ChannelBinding channelBinding) {

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} for an unusable combination (no
     *     endpoint, a blank user, verify-ca/verify-full without a root certificate, a client
     *     certificate without its key, channel_binding=require with sslmode=disable)
     */
    public ReplicationConnectionSettings {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(targetSessionAttrs, "targetSessionAttrs");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(sslMode, "sslMode");
        Objects.requireNonNull(rootCertificate, "rootCertificate");
        Objects.requireNonNull(clientCertificate, "clientCertificate");
        Objects.requireNonNull(clientKey, "clientKey");
        Objects.requireNonNull(channelBinding, "channelBinding");
        if (endpoints.isEmpty()) {
            throw invalid("no server to connect to: the endpoint list is empty");
        }
        if (user.isBlank()) {
            throw invalid("the replication user name is empty");
        }
        if (connectTimeout.isNegative()) {
            throw invalid("connect timeout " + connectTimeout + " is negative");
        }
        if ((sslMode == SslMode.VERIFY_CA || sslMode == SslMode.VERIFY_FULL) && rootCertificate.isEmpty()) {
            throw invalid("sslmode=" + sslMode.keyword() + " needs a root certificate (sslrootcert) to verify the server against");
        }
        if (clientCertificate.isPresent() != clientKey.isPresent()) {
            throw invalid("a client certificate (sslcert) and its key (sslkey) must be given together");
        }
        if (channelBinding == ChannelBinding.REQUIRE && sslMode == SslMode.DISABLE) {
            throw invalid("channel_binding=require needs TLS, but sslmode=disable turns TLS off");
        }
    }

    /** The same settings, selecting servers by {@code attrs} (backups and checks choose their own). */
    public ReplicationConnectionSettings withTargetSessionAttrs(TargetSessionAttrs attrs) {
        return new ReplicationConnectionSettings(endpoints, user, password, applicationName, attrs, connectTimeout,
                sslMode, rootCertificate, clientCertificate, clientKey, channelBinding);
    }

    /** The same settings, naming the connection {@code name} in pg_stat_replication and the server log. */
    public ReplicationConnectionSettings withApplicationName(String name) {
        return new ReplicationConnectionSettings(endpoints, user, password, Optional.of(name), targetSessionAttrs,
                connectTimeout, sslMode, rootCertificate, clientCertificate, clientKey, channelBinding);
    }

    private static CellarException invalid(String message) {
        return new CellarException(ErrorCode.INVALID_VALUE, "invalid replication connection settings: " + message);
    }

    /** A builder with libpq's defaults: sslmode=prefer, channel_binding=prefer, target_session_attrs=any, no timeout. */
    public static Builder builder(String user) {
        return new Builder(user);
    }

    /** Whether the chain of the server's certificate is verified (see {@link SslMode#REQUIRE}). */
    boolean verifiesCertificateChain() {
        return sslMode == SslMode.VERIFY_CA || sslMode == SslMode.VERIFY_FULL
                || sslMode == SslMode.REQUIRE && rootCertificate.isPresent();
    }

    @Override
    public String toString() {
        return "ReplicationConnectionSettings[endpoints=" + endpoints + ", user=" + user
                + ", applicationName=" + applicationName.orElse("") + ", targetSessionAttrs=" + targetSessionAttrs.keyword()
                + ", connectTimeout=" + connectTimeout + ", sslmode=" + sslMode.keyword()
                + ", sslrootcert=" + rootCertificate.map(Path::toString).orElse("")
                + ", sslcert=" + clientCertificate.map(Path::toString).orElse("")
                + ", channelBinding=" + channelBinding.keyword() + "]";
    }

    /** Builds settings step by step; not thread-safe. */
    public static final class Builder {
        private final String user;
        private final List<Endpoint> endpoints = new ArrayList<>();
        private PasswordSource password = PasswordSource.none();
        private String applicationName;
        private TargetSessionAttrs targetSessionAttrs = TargetSessionAttrs.ANY;
        private Duration connectTimeout = Duration.ZERO;
        private SslMode sslMode = SslMode.PREFER;
        private Path rootCertificate;
        private Path clientCertificate;
        private Path clientKey;
        private ChannelBinding channelBinding = ChannelBinding.PREFER;

        private Builder(String user) {
            this.user = user;
        }

        /** Adds a server to try after those added before. */
        public Builder endpoint(String host, int port) {
            endpoints.add(Endpoint.of(host, port));
            return this;
        }

        public Builder endpoints(List<Endpoint> more) {
            endpoints.addAll(more);
            return this;
        }

        public Builder password(PasswordSource source) {
            this.password = Objects.requireNonNull(source, "source");
            return this;
        }

        public Builder applicationName(String name) {
            this.applicationName = name;
            return this;
        }

        public Builder targetSessionAttrs(TargetSessionAttrs attrs) {
            this.targetSessionAttrs = attrs;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder sslMode(SslMode mode) {
            this.sslMode = mode;
            return this;
        }

        public Builder rootCertificate(Path pemFile) {
            this.rootCertificate = pemFile;
            return this;
        }

        public Builder clientCertificate(Path certificatePem, Path keyPem) {
            this.clientCertificate = certificatePem;
            this.clientKey = keyPem;
            return this;
        }

        public Builder channelBinding(ChannelBinding binding) {
            this.channelBinding = binding;
            return this;
        }

        /** @throws CellarException {@link ErrorCode#INVALID_VALUE} as the record's constructor */
        public ReplicationConnectionSettings build() {
            return new ReplicationConnectionSettings(endpoints, user, password, Optional.ofNullable(applicationName),
                    targetSessionAttrs, connectTimeout, sslMode, Optional.ofNullable(rootCertificate),
                    Optional.ofNullable(clientCertificate), Optional.ofNullable(clientKey), channelBinding);
        }
    }
}
