package dev.cellar.catalog;

/** Which server of a cluster a backup was taken from. Stored as {@code primary} and {@code standby}. */
public enum BackupOrigin {
    PRIMARY,
    STANDBY
}
