package dev.cellar.restore.postgres;

/** {@code pg_ctl stop -m} modes. */
public enum ShutdownMode {
    /** Wait for clients to disconnect. */
    SMART,
    /** Disconnect clients, write a shutdown checkpoint. */
    FAST,
    /** Stop at once; the next start runs crash recovery. */
    IMMEDIATE;

    String pgCtlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
