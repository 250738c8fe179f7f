package dev.cellar.config;

/** What to do when an incremental backup cannot be taken (PostgreSQL before 17, no prior full, summaries missing): take a full one instead, or fail ({@code incremental_fallback}). */
public enum IncrementalFallback {
    /** Take a full backup instead, so that the schedule still yields a backup. */
    FULL,
    /** Record the job as failed and take nothing. */
    FAIL;

    /** The word as written in configuration, e.g. {@code full}. */
    public String keyword() {
        return Choices.keyword(this);
    }

    /**
     * The constant for a configuration word.
     *
     * @throws dev.cellar.core.CellarException ({@code INVALID_VALUE}) naming the choices
     */
    public static IncrementalFallback fromKeyword(String keyword) {
        return Choices.parse(keyword, values());
    }
}
