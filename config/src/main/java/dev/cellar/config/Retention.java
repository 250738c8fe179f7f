package dev.cellar.config;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.time.Duration;
import java.util.Objects;

/**
 * How long backups are kept: everything needed to restore to any point within the recovery window,
 * plus the newest backup of each of the last N days, weeks and months, and never fewer than
 * {@code minFull} full backups. A zero count or window turns that rule off.
 */
public record Retention(Duration recoveryWindow, int keepDaily, int keepWeekly, int keepMonthly, int minFull) {
    /** @throws CellarException ({@code INVALID_VALUE}) for a negative value or {@code minFull < 1} */
    public Retention {
        Objects.requireNonNull(recoveryWindow, "recoveryWindow");
        if (recoveryWindow.isNegative() || keepDaily < 0 || keepWeekly < 0 || keepMonthly < 0) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "retention values must not be negative");
        }
        if (minFull < 1) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "min_full must be at least 1: a cluster without a full backup cannot be restored");
        }
    }
}
