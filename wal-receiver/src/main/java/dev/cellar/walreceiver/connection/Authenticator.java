package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.walreceiver.protocol.BackendMessage.Authentication;
import dev.cellar.walreceiver.protocol.MessageWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * Answers the server's authentication requests during startup: none (trust, cert), cleartext,
 * md5, SCRAM-SHA-256 and SCRAM-SHA-256-PLUS. It also refuses what would weaken the login:
 * AuthenticationOk before a started SCRAM exchange has proven the server knows the password, a
 * second mechanism after SCRAM began, and, with {@code channel_binding=require}, any outcome other
 * than SCRAM-SHA-256-PLUS (as libpq does).
 *
 * <p>The password is asked from the {@link PasswordSource} only when needed and zeroed after use.
 * Nothing here logs or puts the password in a message. Not thread-safe; one per connection attempt.
 */
final class Authenticator {
    private final ReplicationConnectionSettings settings;
    private final MessageWriter writer;
    private final SSLSession tls;
    private ScramAuthentication scram;
    private AuthenticationMethod method = AuthenticationMethod.NONE;

    /** @param tls the TLS session, or {@code null} on a plain connection */
    Authenticator(ReplicationConnectionSettings settings, MessageWriter writer, SSLSession tls) {
        this.settings = settings;
        this.writer = writer;
        this.tls = tls;
    }

    /** The method used so far (final once {@link #handle} returned true). */
    AuthenticationMethod method() {
        return method;
    }

    /**
     * Handles one Authentication message.
     *
     * @return true if it was AuthenticationOk and the login is acceptable
     * @throws CellarException {@link ErrorCode#AUTHENTICATION_FAILED} or {@link ErrorCode#PROTOCOL_ERROR}
     */
    boolean handle(Authentication request) throws IOException {
        byte[] data = request.data();
        switch (request.code()) {
            case Authentication.AUTH_OK -> {
                checkOutcome();
                return true;
            }
            case Authentication.AUTH_CLEARTEXT_PASSWORD -> {
                beginPasswordMethod(AuthenticationMethod.CLEARTEXT_PASSWORD, "password");
                char[] password = password("password");
                byte[] bytes = Md5Password.Utf8Secrets.encode(password);
                try {
                    writer.passwordMessage(bytes);
                } finally {
                    Arrays.fill(password, '\0');
                    Arrays.fill(bytes, (byte) 0);
                }
            }
            case Authentication.AUTH_MD5_PASSWORD -> {
                beginPasswordMethod(AuthenticationMethod.MD5, "md5");
                char[] password = password("md5");
                try {
                    writer.passwordMessage(Md5Password.response(settings.user(), password, data));
                } finally {
                    Arrays.fill(password, '\0');
                }
            }
            case Authentication.AUTH_SASL -> {
                if (scram != null || method != AuthenticationMethod.NONE) {
                    throw violation("the server started SASL authentication after another method");
                }
                char[] password = password("scram-sha-256");
                try {
                    scram = ScramAuthentication.start(request.saslMechanisms(), password, settings.channelBinding(), tls);
                } finally {
                    Arrays.fill(password, '\0');
                }
                method = scram.method();
                writer.saslInitialResponse(scram.mechanism(), scram.clientFirstMessage());
            }
            case Authentication.AUTH_SASL_CONTINUE -> {
                requireScram("AuthenticationSASLContinue");
                writer.saslResponse(scram.clientFinalMessage(data));
            }
            case Authentication.AUTH_SASL_FINAL -> {
                requireScram("AuthenticationSASLFinal");
                scram.verifyServerFinalMessage(data);
            }
            case Authentication.AUTH_GSS, Authentication.AUTH_GSS_CONTINUE, Authentication.AUTH_SSPI,
                 Authentication.AUTH_KERBEROS_V5 -> throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                    "the server asks for GSSAPI/SSPI/Kerberos authentication (code " + request.code()
                            + "), which Cellar does not support",
                    "Use scram-sha-256 (or cert) for the replication role in pg_hba.conf.");
            default -> throw violation("unknown authentication request code " + request.code());
        }
        return false;
    }

    private void checkOutcome() {
        if (scram != null && !scram.isComplete()) {
            throw violation("the server sent AuthenticationOk before finishing the SCRAM exchange, so it has not "
                    + "proven that it knows the password");
        }
        if (settings.channelBinding() == ChannelBinding.REQUIRE && method != AuthenticationMethod.SCRAM_SHA_256_PLUS) {
            throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                    "channel_binding=require, but the server authenticated the client without channel binding (method "
                            + describe(method) + ")",
                    "Use scram-sha-256 on a hostssl line of pg_hba.conf for this role, or set channel_binding=prefer.");
        }
    }

    private void beginPasswordMethod(AuthenticationMethod requested, String hbaName) {
        if (scram != null || method != AuthenticationMethod.NONE) {
            throw violation("the server asked for " + hbaName + " authentication after another method");
        }
        if (settings.channelBinding() == ChannelBinding.REQUIRE) {
            throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                    "channel_binding=require, but the server asks for " + hbaName + " authentication, which cannot bind to TLS",
                    "Use scram-sha-256 on a hostssl line of pg_hba.conf for this role, or set channel_binding=prefer.");
        }
        method = requested;
    }

    private void requireScram(String what) {
        if (scram == null) {
            throw violation(what + " arrived without a SASL exchange");
        }
    }

    private char[] password(String hbaMethod) {
        Optional<char[]> password = settings.password().password();
        if (password.isEmpty()) {
            throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                    "the server asks for a password (" + hbaMethod + " authentication) but none is configured for user \""
                            + settings.user() + "\"",
                    "Configure the password (password_file) of the replication user.");
        }
        return password.get();
    }

    private static String describe(AuthenticationMethod method) {
        return method == AuthenticationMethod.NONE ? "none: trust or certificate" : method.name();
    }

    private static CellarException violation(String what) {
        return new CellarException(ErrorCode.PROTOCOL_ERROR, "protocol violation during authentication: " + what);
    }
}
