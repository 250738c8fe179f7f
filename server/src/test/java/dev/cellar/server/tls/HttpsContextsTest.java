package dev.cellar.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cellar.config.TlsSettings;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's context from {@code server.tls} (refused when key and certificate are not a pair),
 * and a client's that trusts one file, shaking hands over a loopback socket with host name
 * verification on, as the HTTP client does.
 */
class HttpsContextsTest {
    @TempDir
    static Path made;
    static KeytoolCertificates.Made rsa;
    static KeytoolCertificates.Made ec;

    @BeforeAll
    static void makeCertificates() throws Exception {
        rsa = KeytoolCertificates.make(made, "rsa", "RSA", "ip:127.0.0.1");
        ec = KeytoolCertificates.make(made, "ec", "EC", "ip:127.0.0.1");
    }

    @Test
    void aClientTrustingTheSelfSignedCertificateCompletesAHandshakeWithTlsTwelveOrLater() throws Exception {
        for (KeytoolCertificates.Made pair : new KeytoolCertificates.Made[] {rsa, ec}) {
            SSLContext server = HttpsContexts.server(new TlsSettings(pair.certificateFile(), pair.keyFile()));
            SSLContext client = HttpsContexts.trusting(pair.certificateFile(), "--ca-file");

            assertThat(handshake(server, client, "127.0.0.1")).as(pair.key().getAlgorithm()).isIn("TLSv1.3", "TLSv1.2");
        }
    }

    @Test
    void aClientTrustingAnotherCertificateOrAskingForAnotherHostIsRefused() throws Exception {
        SSLContext server = HttpsContexts.server(new TlsSettings(rsa.certificateFile(), rsa.keyFile()));

        assertThatThrownBy(() -> handshake(server, HttpsContexts.trusting(ec.certificateFile(), "--ca-file"),
                "127.0.0.1")).hasRootCauseInstanceOf(CertPathBuilderException.class);
        // The certificate names IP:127.0.0.1 only.
        assertThatThrownBy(() -> handshake(server, HttpsContexts.trusting(rsa.certificateFile(), "--ca-file"),
                "localhost")).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("No name matching localhost found");
    }

    @Test
    void refusesAKeyOfAnotherAlgorithm() {
        CellarException e = catchThrowableOfType(CellarException.class,
                () -> HttpsContexts.server(new TlsSettings(rsa.certificateFile(), ec.keyFile())));

        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        assertThat(e.getMessage()).isEqualTo("server.tls.key_file " + ec.keyFile() + " is not the private key of"
                + " the first certificate in server.tls.certificate_file " + rsa.certificateFile() + " (CN=rsa)");
        assertThat(e.hint().orElseThrow())
                .startsWith("the certificate file must start with the server's own certificate");
    }

    @Test
    void refusesAnotherKeyOfTheSameAlgorithm() throws Exception {
        KeytoolCertificates.Made other = KeytoolCertificates.make(made, "other", "EC", "ip:127.0.0.1");

        assertThatThrownBy(() -> HttpsContexts.server(new TlsSettings(ec.certificateFile(), other.keyFile())))
                .isInstanceOf(CellarException.class).hasMessage("server.tls.key_file " + other.keyFile()
                        + " is not the private key of the first certificate in server.tls.certificate_file "
                        + ec.certificateFile() + " (CN=ec)");
    }

    @Test
    void theServerOffersTlsTwelveAndThirteenOnly() {
        SSLParameters parameters = HttpsContexts.serverParameters(
                HttpsContexts.server(new TlsSettings(ec.certificateFile(), ec.keyFile())));

        assertThat(parameters.getProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }

    /** Both ends of one handshake; answers the protocol agreed on, or throws the client's failure. */
    private static String handshake(SSLContext server, SSLContext client, String host) throws Exception {
        try (SSLServerSocket listening = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listening.setSSLParameters(HttpsContexts.serverParameters(server));
            CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
                try (SSLSocket socket = (SSLSocket) listening.accept()) {
                    socket.startHandshake();
                } catch (IOException e) {
                    // the client's side says why
                }
            });
            int port = listening.getLocalPort();
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(host, port)) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                return socket.getSession().getProtocol();
            } finally {
                accepted.get(30, TimeUnit.SECONDS);
            }
        }
    }
}
