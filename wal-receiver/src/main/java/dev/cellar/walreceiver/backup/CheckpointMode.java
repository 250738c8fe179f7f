package dev.cellar.walreceiver.backup;

/**
 * How the server's backup-start checkpoint runs ({@code CHECKPOINT} option of BASE_BACKUP).
 * {@link #SPREAD} is PostgreSQL's default and gentle on a busy primary; {@link #FAST} starts
 * sending data at once at the cost of an I/O burst.
 */
public enum CheckpointMode {
    FAST("fast"),
    SPREAD("spread");

    private final String keyword;

    CheckpointMode(String keyword) {
        this.keyword = keyword;
    }

    /** The word BASE_BACKUP takes. */
    public String keyword() {
        return keyword;
    }
}
