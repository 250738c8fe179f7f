package dev.cellar.config;

/**
 * How the server's checkpoint at the start of a base backup runs ({@code checkpoint}): spread
 * over {@code checkpoint_completion_target} like a regular checkpoint (gentle on a busy server,
 * PostgreSQL's, pgBackRest's and Barman's default), or fast (data flows at once, I/O burst).
 */
public enum CheckpointMode {
    SPREAD,
    FAST;

    /** The word as written in configuration, e.g. {@code spread}. */
    public String keyword() {
        return Choices.keyword(this);
    }
}
