package dev.cellar.walreceiver.connection;

/**
 * How hard to insist on TLS and what to verify; libpq's {@code sslmode}, whose default is
 * {@link #PREFER}.
 *
 * <p>Without verification (every mode below {@link #VERIFY_CA}, unless {@link #REQUIRE} is given a
 * root certificate) the connection is encrypted but the server is not authenticated by TLS: a
 * machine in the middle could present its own certificate. SCRAM with channel binding still detects
 * that, because the binding covers the certificate the client saw.
 */
public enum SslMode {
    /** Plain TCP only. */
    DISABLE("disable"),
    /** Plain first; TLS only if the server refuses the plain connection (libpq semantics). */
    ALLOW("allow"),
    /** TLS if the server offers it, plain otherwise; the certificate is not checked. */
    PREFER("prefer"),
    /**
     * TLS or fail. The certificate is not checked, unless a root certificate is configured: then
     * the chain is verified as for {@link #VERIFY_CA} (libpq does the same when its root certificate
     * file exists).
     */
    REQUIRE("require"),
    /** TLS, and the server's chain must lead to the configured root certificate. */
    VERIFY_CA("verify-ca"),
    /** As {@link #VERIFY_CA}, and the certificate must name the host connected to (DNS or IP SAN). */
    VERIFY_FULL("verify-full");

    private final String keyword;

    SslMode(String keyword) {
        this.keyword = keyword;
    }

    /** The libpq word, such as {@code verify-full}. */
    public String keyword() {
        return keyword;
    }
}
