package dev.cellar.walreceiver.backup;

import java.util.Objects;

/**
 * Whether a cluster's data may have changed since its previous backup, and why Cellar thinks so:
 * the reason is recorded with a skipped (or taken) scheduled backup.
 */
public record ChangeCheck(boolean changed, String reason) {
    public ChangeCheck {
        Objects.requireNonNull(reason, "reason");
    }

    static ChangeCheck changed(String reason) {
        return new ChangeCheck(true, reason);
    }

    static ChangeCheck unchanged(String reason) {
        return new ChangeCheck(false, reason);
    }
}
