package dev.cellar.walreceiver.connection;

import java.util.Optional;

/**
 * Checks {@code target_session_attrs} on a new connection, as libpq does for servers 14 and later:
 * from the {@code in_hot_standby} and {@code default_transaction_read_only} values reported at
 * startup, falling back to {@code SHOW} (a replication command; a physical walsender refuses SQL)
 * if a value was not reported. Stateless.
 */
final class SessionAttributes {
    private SessionAttributes() {
    }

    /**
     * @param wanted never {@link TargetSessionAttrs#PREFER_STANDBY} (the connector splits it into two passes)
     * @return why the server does not fit, or empty if it does
     */
    static Optional<String> mismatch(ReplicationConnection connection, TargetSessionAttrs wanted) {
        if (wanted == TargetSessionAttrs.ANY) {
            return Optional.empty();
        }
        boolean inHotStandby = isOn(connection, "in_hot_standby");
        boolean readOnlyByDefault = wanted == TargetSessionAttrs.READ_WRITE || wanted == TargetSessionAttrs.READ_ONLY
                ? isOn(connection, "default_transaction_read_only") : false;
        String state = inHotStandby ? "the server is a standby (in_hot_standby=on)"
                : readOnlyByDefault ? "the server is read-only (default_transaction_read_only=on)"
                : "the server is a primary (in_hot_standby=off)";
        boolean fits = switch (wanted) {
            case READ_WRITE -> !inHotStandby && !readOnlyByDefault;
            case READ_ONLY -> inHotStandby || readOnlyByDefault;
            case PRIMARY -> !inHotStandby;
            case STANDBY -> inHotStandby;
            case ANY, PREFER_STANDBY -> true;
        };
        return fits ? Optional.empty()
                : Optional.of(state + ", but target_session_attrs=" + wanted.keyword());
    }

    private static boolean isOn(ReplicationConnection connection, String parameter) {
        String value = connection.parameterStatus(parameter).orElseGet(() -> connection.show(parameter));
        return value.equals("on");
    }
}
