package dev.cellar.catalog;

/** Where a backup is in its life. Stored in lower case ({@code waiting_for_wal}). */
public enum BackupStatus {
    /** Data is being received. */
    RUNNING,
    /** The data is stored; the WAL up to its end point has not all been archived yet. */
    WAITING_FOR_WAL,
    /** Data and the WAL to its end point are stored: the only restorable status. */
    COMPLETE,
    /** It ended with an error; see its failure message. */
    FAILED,
    /** Found without its commit marker (after a crash); never offered for restore. */
    INCOMPLETE
}
