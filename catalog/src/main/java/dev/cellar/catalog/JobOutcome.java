package dev.cellar.catalog;

/** How a job ended, or that it has not. Stored in lower case. */
public enum JobOutcome {
    RUNNING,
    SUCCEEDED,
    FAILED,
    /** It did not run, for a reason in its message (another job of the kind was running, a limit). */
    SKIPPED,
    CANCELLED
}
