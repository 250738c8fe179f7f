package dev.cellar.config;

/** libpq's {@code sslmode}: how hard to insist on TLS and what to verify. libpq's default is {@link #PREFER}. */
public enum SslMode {
    DISABLE, ALLOW, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

    /** The word as written in configuration, e.g. {@code disable}. */
    public String keyword() {
        return Choices.keyword(this);
    }

    /**
     * The constant for a configuration word.
     *
     * @throws dev.cellar.core.CellarException ({@code INVALID_VALUE}) naming the choices
     */
    public static SslMode fromKeyword(String keyword) {
        return Choices.parse(keyword, values());
    }
}
