package dev.cellar.server.tls;

import dev.cellar.config.TlsSettings;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JSSE contexts of the admin API's HTTPS, built from PEM files ({@link PemFiles}): the server's,
 * from {@code server.tls} (certificate chain and key, checked to belong together before anything
 * listens), and a client's that trusts the certificates of one file (a CA, or a self-signed server
 * certificate itself). The server offers TLS 1.2 and 1.3 only ({@link #serverParameters}); cipher
 * suites, and everything about a client but what it trusts, are the JDK's defaults. Host name
 * verification is the HTTP client's and stays on. Stateless and thread-safe.
 */
public final class HttpsContexts {
    /** Older versions are broken (RFC 8996); the JDK disables them too, this makes it independent of java.security. */
    private static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");
    /** The key store exists only in memory, for the key manager; its password protects nothing. */
    private static final char[] IN_MEMORY = "in-memory".toCharArray();
    private static final byte[] CHALLENGE = "cellar: does this key belong to this certificate?"
            .getBytes(StandardCharsets.US_ASCII);

    private HttpsContexts() {
    }

    /**
     * The server's context: the chain of {@code server.tls.certificate_file} (the server's
     * certificate first) and the key of {@code server.tls.key_file}.
     *
     * @throws CellarException {@link ErrorCode#CONFIG_INVALID} when a file cannot be read or used,
     *                         or the key is not the first certificate's
     */
    public static SSLContext server(TlsSettings tls) {
        List<X509Certificate> chain = PemFiles.certificates(tls.certificateFile(), "server.tls.certificate_file");
        PrivateKey key = PemFiles.privateKey(tls.keyFile(), "server.tls.key_file");
        X509Certificate certificate = chain.getFirst();
        if (!belongTogether(key, certificate.getPublicKey())) {
            throw new CellarException(ErrorCode.CONFIG_INVALID, "server.tls.key_file " + tls.keyFile()
                    + " is not the private key of the first certificate in server.tls.certificate_file "
                    + tls.certificateFile() + " (" + certificate.getSubjectX500Principal().getName() + ")",
                    "the certificate file must start with the server's own certificate (intermediates after it);"
                            + " the two public keys printed by openssl x509 -noout -pubkey -in CERTIFICATE and"
                            + " openssl pkey -pubout -in KEY must be the same");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, IN_MEMORY, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, IN_MEMORY);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw unexpected(e);
        }
    }

    /**
     * A client's context that trusts the certificates of {@code file} and nothing else.
     *
     * @param source where the file was named, e.g. {@code --ca-file}
     * @throws CellarException {@link ErrorCode#CONFIG_INVALID} when the file cannot be read or holds
     *                         no certificate
     */
    public static SSLContext trusting(Path file, String source) {
        List<X509Certificate> certificates = PemFiles.certificates(file, source);
        Set<TrustAnchor> anchors = certificates.stream().map(c -> new TrustAnchor(c, null))
                .collect(Collectors.toSet());
        try {
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, new X509CertSelector());
            // As the JDK's default trust manager: no CRL or OCSP look-ups.
            parameters.setRevocationEnabled(false);
            TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
            trust.init(new CertPathTrustManagerParameters(parameters));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw unexpected(e);
        }
    }

    /** The JDK's defaults for {@code context}, with TLS 1.2 and 1.3 only. */
    public static SSLParameters serverParameters(SSLContext context) {
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(Arrays.stream(parameters.getProtocols()).filter(PROTOCOLS::contains)
                .toArray(String[]::new));
        return parameters;
    }

    /** Signs with the key and verifies with the certificate's public key: works alike for RSA and EC. */
    private static boolean belongTogether(PrivateKey key, PublicKey certified) {
        if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
            return false;
        }
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(CHALLENGE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(CHALLENGE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. keys on different curves: not a pair either
        }
    }

    private static CellarException unexpected(Exception e) {
        return new CellarException(ErrorCode.INTERNAL, "cannot set up TLS: " + e.getMessage(),
                "report it with the output of java -version", e);
    }
}
