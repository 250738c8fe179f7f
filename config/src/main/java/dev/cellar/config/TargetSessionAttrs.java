package dev.cellar.config;

/** libpq's {@code target_session_attrs}: which of several hosts to accept. libpq's default is {@link #ANY}. */
public enum TargetSessionAttrs {
    ANY, READ_WRITE, READ_ONLY, PRIMARY, STANDBY, PREFER_STANDBY;

    /** The word as written in configuration, e.g. {@code any}. */
    public String keyword() {
        return Choices.keyword(this);
    }

    /**
     * The constant for a configuration word.
     *
     * @throws dev.cellar.core.CellarException ({@code INVALID_VALUE}) naming the choices
     */
    public static TargetSessionAttrs fromKeyword(String keyword) {
        return Choices.parse(keyword, values());
    }
}
