package dev.cellar.restore.plan;

import java.util.Objects;
import java.util.Optional;

/**
 * What a restore is asked for: where recovery stops, along which timeline, what the server does
 * there, and optionally which backup to start from.
 *
 * @param target    where recovery stops
 * @param timeline  the timeline recovery follows
 * @param inclusive whether the stop point itself is replayed ({@code recovery_target_inclusive});
 *                  meaningful for time, LSN and xid targets
 * @param action    what the server does at the target
 * @param backupId  the backup to restore, instead of the newest one that fits
 */
public record RestoreTarget(RecoveryTarget target, TargetTimeline timeline, boolean inclusive, TargetAction action,
                            Optional<String> backupId) {
    public RestoreTarget {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(backupId, "backupId");
        if (target instanceof RecoveryTarget.Latest && action != TargetAction.PROMOTE) {
            throw new IllegalArgumentException("--target-action " + action.setting() + " needs a target: without one,"
                    + " recovery ends where the WAL ends and the server is promoted");
        }
    }

    /** The newest state on the newest timeline, promoted: what {@code backupctl restore} does without target flags. */
    public static RestoreTarget latest() {
        return new RestoreTarget(new RecoveryTarget.Latest(), new TargetTimeline.Latest(), true, TargetAction.PROMOTE,
                Optional.empty());
    }

    public RestoreTarget withTarget(RecoveryTarget value) {
        return new RestoreTarget(value, timeline, inclusive, action, backupId);
    }

    public RestoreTarget withTimeline(TargetTimeline value) {
        return new RestoreTarget(target, value, inclusive, action, backupId);
    }

    public RestoreTarget withInclusive(boolean value) {
        return new RestoreTarget(target, timeline, value, action, backupId);
    }

    public RestoreTarget withAction(TargetAction value) {
        return new RestoreTarget(target, timeline, inclusive, value, backupId);
    }

    public RestoreTarget withBackup(String id) {
        return new RestoreTarget(target, timeline, inclusive, action, Optional.of(id));
    }
}
