package dev.cellar.restore.plan;

import dev.cellar.core.TimelineHistory;
import dev.cellar.core.Lsn;
import java.util.Optional;

/**
 * Finds where PostgreSQL's recovery would stop for a time, xid or restore-point target by reading
 * the archived WAL, so a plan can choose the right backup and refuse a target the WAL does not
 * reach, before anything is written.
 */
@FunctionalInterface
public interface StopLocator {

    /**
     * The first record in {@code [from, to)} along {@code path} at which recovery stops for
     * {@code target} ({@link RecoveryTarget.AtTime}, {@link RecoveryTarget.AtXid} or
     * {@link RecoveryTarget.AtName}), with {@code inclusive} as {@code recovery_target_inclusive};
     * empty if there is none. The WAL in the range is complete (the planner checked).
     */
    Optional<StopRecord> firstStop(RecoveryTarget target, boolean inclusive, TimelineHistory path, Lsn from, Lsn to);
}
