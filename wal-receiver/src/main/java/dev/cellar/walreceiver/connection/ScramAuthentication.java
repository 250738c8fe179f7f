package dev.cellar.walreceiver.connection;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.StringPreparation;
import com.ongres.scram.common.exception.ScramInvalidServerSignatureException;
import com.ongres.scram.common.exception.ScramParseException;
import com.ongres.scram.common.exception.ScramServerErrorException;
import com.ongres.scram.common.util.TlsServerEndpoint;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * One SCRAM-SHA-256(-PLUS) exchange ([proto] sasl-scram-sha-256; RFC 5802, 7677), driven by
 * {@code com.ongres.scram:scram-client} as pgjdbc's {@code ScramAuthenticator} does. The server's
 * final signature is verified, so a server that does not know the password (an impostor) fails
 * the exchange; {@link #isComplete()} tells the caller whether AuthenticationOk may be accepted.
 *
 * <p>Only the two mechanisms PostgreSQL offers are considered, so a server cannot steer the client
 * to a weaker SCRAM variant. Channel binding uses {@code tls-server-end-point}: the hash of the
 * certificate this client saw, so a machine in the middle with its own certificate is caught even
 * when the certificate itself is not verified.
 *
 * <p>Not thread-safe; one instance per authentication.
 */
final class ScramAuthentication {
    static final String SCRAM_SHA_256 = "SCRAM-SHA-256";
    static final String SCRAM_SHA_256_PLUS = "SCRAM-SHA-256-PLUS";

    private final ScramClient client;
    private final boolean channelBound;
    private boolean complete;

    private ScramAuthentication(ScramClient client, boolean channelBound) {
        this.client = client;
        this.channelBound = channelBound;
    }

    /**
     * Chooses the mechanism and prepares the client-first-message.
     *
     * @param advertised the server's mechanism list
     * @param password   the password; the caller zeroes it afterwards
     * @param tls        the TLS session, or {@code null} on a plain connection
     * @throws CellarException {@link ErrorCode#AUTHENTICATION_FAILED} if no usable mechanism is
     *     offered, or channel binding is required but impossible
     */
    static ScramAuthentication start(List<String> advertised, char[] password, ChannelBinding binding, SSLSession tls) {
        List<String> usable = advertised.stream()
                .filter(m -> m.equals(SCRAM_SHA_256) || m.equals(SCRAM_SHA_256_PLUS)).toList();
        if (usable.isEmpty()) {
            throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                    "the server offers SASL mechanisms " + advertised + ", none of which Cellar supports",
                    "Use scram-sha-256 in pg_hba.conf.");
        }
        byte[] bindingData = binding == ChannelBinding.DISABLE || tls == null ? null : channelBindingData(tls, binding);
        boolean plusOffered = usable.contains(SCRAM_SHA_256_PLUS);
        if (binding == ChannelBinding.REQUIRE) {
            if (tls == null) {
                throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                        "channel_binding=require, but the connection is not encrypted (the server did not accept TLS)",
                        "Enable ssl on the server or use sslmode=require.");
            }
            if (!plusOffered) {
                throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                        "channel_binding=require, but the server does not offer SCRAM-SHA-256-PLUS",
                        "Use scram-sha-256 for this role in pg_hba.conf (a hostssl line).");
            }
        }
        ScramClient client = ScramClient.builder()
                .advertisedMechanisms(usable)
                .username("*") // PostgreSQL ignores it: the startup message's user counts
                .password(password)
                .channelBinding(bindingData == null ? null : TlsServerEndpoint.TLS_SERVER_END_POINT, bindingData)
                .stringPreparation(StringPreparation.POSTGRESQL_PREPARATION)
                .build();
        return new ScramAuthentication(client, client.getScramMechanism().isPlus());
    }

    private static byte[] channelBindingData(SSLSession tls, ChannelBinding binding) {
        try {
            Certificate[] chain = tls.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate certificate) {
                byte[] data = TlsServerEndpoint.getChannelBindingData(certificate);
                if (data != null && data.length > 0) {
                    return data;
                }
            }
        } catch (SSLPeerUnverifiedException | CertificateEncodingException | IllegalArgumentException e) {
            if (binding == ChannelBinding.REQUIRE) {
                throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                        "channel_binding=require, but no binding data can be derived from the server's certificate: " + e.getMessage(),
                        null, e);
            }
            return null;
        }
        if (binding == ChannelBinding.REQUIRE) {
            throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                    "channel_binding=require, but the server's certificate does not allow tls-server-end-point binding");
        }
        return null;
    }

    /** {@code SCRAM-SHA-256} or {@code SCRAM-SHA-256-PLUS}. */
    String mechanism() {
        return client.getScramMechanism().getName();
    }

    AuthenticationMethod method() {
        return channelBound ? AuthenticationMethod.SCRAM_SHA_256_PLUS : AuthenticationMethod.SCRAM_SHA_256;
    }

    byte[] clientFirstMessage() {
        return client.clientFirstMessage().toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @throws CellarException {@link ErrorCode#PROTOCOL_ERROR} for a malformed server-first-message
     *     (including a nonce that does not extend ours)
     */
    byte[] clientFinalMessage(byte[] serverFirstMessage) {
        try {
            client.serverFirstMessage(new String(serverFirstMessage, StandardCharsets.UTF_8));
        } catch (ScramParseException | IllegalArgumentException | IllegalStateException e) {
            throw new CellarException(ErrorCode.PROTOCOL_ERROR, "invalid SCRAM server-first-message: " + e.getMessage(), null, e);
        }
        return client.clientFinalMessage().toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks the server's proof that it knows the password.
     *
     * @throws CellarException {@link ErrorCode#AUTHENTICATION_FAILED} if the signature is wrong or
     *     the server reports an error; {@link ErrorCode#PROTOCOL_ERROR} if the message is malformed
     */
    void verifyServerFinalMessage(byte[] serverFinalMessage) {
        try {
            client.serverFinalMessage(new String(serverFinalMessage, StandardCharsets.UTF_8));
            complete = true;
        } catch (ScramInvalidServerSignatureException e) {
            throw new CellarException(ErrorCode.AUTHENTICATION_FAILED,
                    "the server's SCRAM signature is wrong: it does not know the password, so it may not be the server it claims to be",
                    "Check that the address points at the right server.", e);
        } catch (ScramServerErrorException e) {
            throw new CellarException(ErrorCode.AUTHENTICATION_FAILED, "SCRAM authentication failed: " + e.getServerError(),
                    null, e);
        } catch (ScramParseException | IllegalArgumentException | IllegalStateException e) {
            throw new CellarException(ErrorCode.PROTOCOL_ERROR, "invalid SCRAM server-final-message: " + e.getMessage(), null, e);
        }
    }

    /** Whether the server's signature has been verified. */
    boolean isComplete() {
        return complete;
    }
}
