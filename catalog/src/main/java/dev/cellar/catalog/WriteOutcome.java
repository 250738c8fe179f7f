package dev.cellar.catalog;

/** What an idempotent catalog write did. */
public enum WriteOutcome {
    /** The row was new and has been written. */
    INSERTED,
    /** The row existed and its changeable parts were updated. */
    UPDATED,
    /** The row existed exactly as given; nothing was written. */
    UNCHANGED
}
