package dev.cellar.core;

/**
 * Stable error numbers. The number of a code never changes once released: it is the process exit
 * status of {@code backupctl} and appears in every error message as {@code [NNN]}, so scripts and
 * runbooks can rely on it. {@code docs/errors.md} lists them; a test keeps the two in sync.
 */
public enum ErrorCode {
    /** A value that should follow a PostgreSQL format (LSN, WAL file name, history file) does not. */
    INVALID_VALUE(10, "invalid value"),
    /** The configuration file cannot be read or fails validation. */
    CONFIG_INVALID(20, "invalid configuration"),
    /** A secret (password file, token file, environment variable) cannot be read. */
    SECRET_UNAVAILABLE(21, "secret unavailable"),
    /** A PostgreSQL server cannot be reached. */
    CONNECTION_FAILED(30, "connection failed"),
    /** A PostgreSQL server rejected our credentials. Permanent: retrying does not help. */
    AUTHENTICATION_FAILED(31, "authentication failed"),
    /** The server speaks the protocol in a way Cellar does not expect. */
    PROTOCOL_ERROR(32, "protocol error"),
    /** The server is not the cluster the repository belongs to (system identifier differs). */
    SYSTEM_IDENTIFIER_MISMATCH(33, "system identifier mismatch"),
    /** A WAL file's bytes are not the segment its name claims (page header, size, continuity). */
    WAL_INVALID(40, "invalid WAL"),
    /** WAL that the repository needs is missing. */
    WAL_GAP(41, "WAL gap"),
    /**
     * A WAL or history file asked for by name is not in the repository: for a restore_command, the
     * end of the archive (not an error of the repository).
     */
    WAL_NOT_FOUND(42, "WAL file not archived"),
    /** A stored object failed its checksum, is truncated or is missing. */
    OBJECT_CORRUPT(50, "corrupt object"),
    /** A storage operation failed (I/O, permissions, full disk). */
    STORAGE_FAILED(51, "storage failure"),
    /** The catalog cannot be opened, migrated or queried. */
    CATALOG_FAILED(52, "catalog failure"),
    /** A backup failed. */
    BACKUP_FAILED(60, "backup failed"),
    /** A restore was refused or failed. */
    RESTORE_FAILED(70, "restore failed"),
    /** Starting or stopping a PostgreSQL server (test kit, verification restore) failed. */
    POSTGRES_SERVER_FAILED(80, "PostgreSQL server failed"),
    /** An unexpected internal error: a bug. */
    INTERNAL(99, "internal error");

    private final int number;
    private final String title;

    ErrorCode(int number, String title) {
        this.number = number;
        this.title = title;
    }

    /** The stable number, also used as the exit status of the CLI (1..125). */
    public int number() {
        return number;
    }

    /** A short, human title such as {@code "invalid configuration"}. */
    public String title() {
        return title;
    }
}
