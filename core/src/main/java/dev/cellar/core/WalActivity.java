package dev.cellar.core;

/**
 * Whether a WAL record changes the cluster's data, or is housekeeping that an idle server writes
 * by itself: checkpoints, WAL switches, the end-of-backup marker, running-transaction snapshots
 * ({@code pg_control.h}, {@code standbydefs.h}). Deciding "nothing changed since the last backup"
 * on these records rather than on LSN distance is what lets a scheduled backup of an idle cluster
 * be skipped: the previous backup's own WAL switch, and the checkpoint and snapshot records the
 * server writes after it, move the LSN without changing a byte of data.
 *
 * <p>Anything not known to be housekeeping counts as a change, including full-page images
 * written for hint bits: skipping a backup wrongly costs more than taking one needlessly.
 */
public final class WalActivity {
    private static final int RM_XLOG_ID = 0;
    private static final int RM_STANDBY_ID = 8;
    private static final int XLR_RMGR_INFO_MASK = 0xF0;

    private static final int XLOG_CHECKPOINT_SHUTDOWN = 0x00;
    private static final int XLOG_CHECKPOINT_ONLINE = 0x10;
    private static final int XLOG_NOOP = 0x20;
    private static final int XLOG_SWITCH = 0x40;
    private static final int XLOG_BACKUP_END = 0x50;
    private static final int XLOG_PARAMETER_CHANGE = 0x60;
    private static final int XLOG_RESTORE_POINT = 0x70;
    private static final int XLOG_FPW_CHANGE = 0x80;
    private static final int XLOG_END_OF_RECOVERY = 0x90;
    private static final int XLOG_OVERWRITE_CONTRECORD = 0xD0;
    private static final int XLOG_CHECKPOINT_REDO = 0xE0;
    private static final int XLOG_RUNNING_XACTS = 0x10;

    private WalActivity() {
    }

    /** Whether a record of resource manager {@code rmid} with {@code xl_info} may change data. */
    public static boolean changesData(int rmid, int info) {
        int kind = info & XLR_RMGR_INFO_MASK;
        return switch (rmid) {
            case RM_XLOG_ID -> switch (kind) {
                case XLOG_CHECKPOINT_SHUTDOWN, XLOG_CHECKPOINT_ONLINE, XLOG_NOOP, XLOG_SWITCH, XLOG_BACKUP_END,
                     XLOG_PARAMETER_CHANGE, XLOG_RESTORE_POINT, XLOG_FPW_CHANGE, XLOG_END_OF_RECOVERY,
                     XLOG_OVERWRITE_CONTRECORD, XLOG_CHECKPOINT_REDO -> false;
                default -> true; // NEXTOID, FPI, FPI_FOR_HINT and anything newer
            };
            case RM_STANDBY_ID -> kind != XLOG_RUNNING_XACTS; // locks and invalidations come with changes
            default -> true;
        };
    }
}
