package dev.cellar.walreceiver.backup;

import dev.cellar.walreceiver.connection.TargetSessionAttrs;

/** Which server of a cluster a base backup may be taken from, and how the connector finds it. */
public enum BackupFrom {
    /** The primary only. */
    PRIMARY(TargetSessionAttrs.PRIMARY),
    /** A standby only; fails when none is reachable. */
    STANDBY(TargetSessionAttrs.STANDBY),
    /** A standby when one is reachable, else the primary. */
    ANY(TargetSessionAttrs.PREFER_STANDBY);

    private final TargetSessionAttrs attrs;

    BackupFrom(TargetSessionAttrs attrs) {
        this.attrs = attrs;
    }

    /** The session attributes that select such a server among the configured hosts. */
    public TargetSessionAttrs targetSessionAttrs() {
        return attrs;
    }
}
