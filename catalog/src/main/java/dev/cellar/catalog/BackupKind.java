package dev.cellar.catalog;

/** What a base backup holds. Stored as {@code full} and {@code incremental}. */
public enum BackupKind {
    /** Every file of the cluster. */
    FULL,
    /** Only what changed since its parent backup (PostgreSQL 17+); restorable only with its chain. */
    INCREMENTAL
}
