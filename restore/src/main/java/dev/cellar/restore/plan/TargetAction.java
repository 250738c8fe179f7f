package dev.cellar.restore.plan;

import java.util.Locale;

/** What the restored server does when it reaches the target ({@code recovery_target_action}). */
public enum TargetAction {
    /** End recovery and accept writes: a new cluster, Cellar's default for a restore. */
    PROMOTE,
    /** Stay in recovery, read-only, so the result can be inspected before {@code pg_wal_replay_resume()}. */
    PAUSE,
    /**
     * Stop the server at the target. It stays a recovering server: started again, it replays to the
     * target once more and stops again, until recovery.signal is removed or the settings change.
     */
    SHUTDOWN;

    /** The value PostgreSQL takes, e.g. {@code promote}. */
    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }
}
