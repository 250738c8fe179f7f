package dev.cellar.walreceiver.connection;

/**
 * Whether SCRAM authentication binds itself to the TLS channel (SCRAM-SHA-256-PLUS with
 * {@code tls-server-end-point}); libpq's {@code channel_binding}, whose default is {@link #PREFER}.
 */
public enum ChannelBinding {
    /** Never use channel binding. */
    DISABLE("disable"),
    /** Use it when TLS is on and the server offers SCRAM-SHA-256-PLUS. */
    PREFER("prefer"),
    /**
     * Accept only a session authenticated with SCRAM-SHA-256-PLUS over TLS: any other
     * authentication (trust, md5, cleartext, SCRAM without binding) fails the connection. This is
     * what proves the server knows the password <em>and</em> is the end of this TLS channel.
     */
    REQUIRE("require");

    private final String keyword;

    ChannelBinding(String keyword) {
        this.keyword = keyword;
    }

    /** The libpq word, such as {@code require}. */
    public String keyword() {
        return keyword;
    }
}
