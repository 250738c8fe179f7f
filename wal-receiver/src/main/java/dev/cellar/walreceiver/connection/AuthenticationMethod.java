package dev.cellar.walreceiver.connection;

/** How a connection proved the client's identity, as seen by the client. */
public enum AuthenticationMethod {
    /**
     * The server asked for nothing: {@code trust}, or a TLS client certificate ({@code cert}), which
     * needs no message beyond the TLS handshake and so looks the same from the client's side.
     */
    NONE,
    /** {@code password}: the password in clear (over TLS, hopefully). */
    CLEARTEXT_PASSWORD,
    /** {@code md5}: a salted MD5 hash of the password; deprecated by PostgreSQL. */
    MD5,
    /** SCRAM-SHA-256 without channel binding. */
    SCRAM_SHA_256,
    /** SCRAM-SHA-256-PLUS: SCRAM bound to the TLS channel with {@code tls-server-end-point}. */
    SCRAM_SHA_256_PLUS
}
