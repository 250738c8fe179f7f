package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the JSSE context for one {@link ReplicationConnector#connect} call from the PEM files of
 * the settings. Trust follows libpq: the chain is verified against the configured root
 * certificates for verify-ca, verify-full, and require with a root certificate; otherwise any
 * certificate is accepted (encryption without server authentication). Host name checking
 * (verify-full) is switched on per socket by {@link TlsUpgrade}. Stateless.
 */
final class TlsContexts {
    private static final char[] IN_MEMORY_STORE_PASSWORD = "cellar".toCharArray();

    private TlsContexts() {
    }

    /**
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if a PEM file is unusable
     */
    static SSLContext create(ReplicationConnectionSettings settings) {
        try {
            KeyManager[] keyManagers = settings.clientCertificate().isPresent()
                    ? clientKeyManagers(settings) : null;
            TrustManager[] trustManagers = settings.verifiesCertificateChain()
                    ? verifyingTrustManagers(settings) : new TrustManager[] {new AcceptAnyCertificate()};
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "cannot set up TLS: " + e.getMessage(),
                    "Check the root certificate, client certificate and key files.", e);
        }
    }

    private static TrustManager[] verifyingTrustManagers(ReplicationConnectionSettings settings)
            throws GeneralSecurityException {
        List<X509Certificate> roots = PemFiles.certificates(settings.rootCertificate().orElseThrow(),
                "root certificate (sslrootcert)");
        KeyStore store = emptyStore();
        for (int i = 0; i < roots.size(); i++) {
            store.setCertificateEntry("root-" + i, roots.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private static KeyManager[] clientKeyManagers(ReplicationConnectionSettings settings)
            throws GeneralSecurityException {
        List<X509Certificate> chain = PemFiles.certificates(settings.clientCertificate().orElseThrow(),
                "client certificate (sslcert)");
        PrivateKey key = PemFiles.privateKey(settings.clientKey().orElseThrow());
        KeyStore store = emptyStore();
        store.setKeyEntry("client", key, IN_MEMORY_STORE_PASSWORD, chain.toArray(X509Certificate[]::new));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, IN_MEMORY_STORE_PASSWORD);
        return factory.getKeyManagers();
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot create an in-memory key store", e);
        }
        return store;
    }

    /**
     * Accepts every server certificate: sslmode prefer/allow/require without a root certificate,
     * where libpq also encrypts without authenticating the server. An {@link X509ExtendedTrustManager}
     * so that JSSE does not wrap it with its own endpoint checks.
     */
    static final class AcceptAnyCertificate extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("a replication client does not accept client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws java.security.cert.CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws java.security.cert.CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
