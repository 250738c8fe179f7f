package dev.cellar.catalog;

/** How a verification restore ended, or that it has not. Stored in lower case. */
public enum VerificationOutcome {
    RUNNING,
    /** The restored cluster started, recovered to the target and passed the checks. */
    PASSED,
    /** It did not: see the message and details. */
    FAILED
}
