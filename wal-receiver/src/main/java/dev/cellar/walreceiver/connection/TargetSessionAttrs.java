package dev.cellar.walreceiver.connection;

/**
 * Which of several servers to accept; libpq's {@code target_session_attrs}, whose default is
 * {@link #ANY}. Decided from the {@code in_hot_standby} and {@code default_transaction_read_only}
 * values the server reports at startup (both reported since PostgreSQL 14), so no SQL is needed,
 * which a physical walsender would refuse anyway.
 */
public enum TargetSessionAttrs {
    /** Any server that accepts the connection. */
    ANY("any"),
    /** A server that accepts writes by default: not in hot standby and default_transaction_read_only off. */
    READ_WRITE("read-write"),
    /** A server that does not accept writes by default: in hot standby or default_transaction_read_only on. */
    READ_ONLY("read-only"),
    /** A server not in hot standby. */
    PRIMARY("primary"),
    /** A server in hot standby. */
    STANDBY("standby"),
    /** A standby if any of the servers is one; otherwise any server (a second pass over all hosts). */
    PREFER_STANDBY("prefer-standby");

    private final String keyword;

    TargetSessionAttrs(String keyword) {
        this.keyword = keyword;
    }

    /** The libpq word, such as {@code read-write}. */
    public String keyword() {
        return keyword;
    }
}
