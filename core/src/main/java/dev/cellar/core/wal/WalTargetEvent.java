package dev.cellar.core.wal;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.time.Instant;
import java.util.Objects;

/**
 * A WAL record that a recovery target can name, with what PostgreSQL's recovery compares
 * (xlogrecovery.c {@code recoveryStopsBefore}, {@code recoveryStopsAfter}, {@code getRecordTimestamp}):
 *
 * <ul>
 *   <li>{@code recovery_target_xid}: the {@link TransactionEnd#xid()} of a commit or abort, equality only.
 *       Inclusive (the default) stops after that record, exclusive before it.</li>
 *   <li>{@code recovery_target_time}: the {@link #time()} of commits and aborts only. Inclusive stops
 *       before the first one whose time is after the target, exclusive before the first one at or after
 *       it. Restore points have a time too, but recovery never compares it.</li>
 *   <li>{@code recovery_target_name}: the first {@link RestorePoint} with that exact name
 *       (case-sensitive); recovery stops after it.</li>
 *   <li>{@code recovery_target_lsn}: any record's {@link #start()}: inclusive stops after the first
 *       record starting at or after the target, exclusive before it.</li>
 * </ul>
 *
 * <p>All implementations are immutable, thread-safe records; no component is {@code null}.
 */
public sealed interface WalTargetEvent {

    /** The timeline of the segment the record was read from (see {@link WalRecord#timeline()}). */
    TimelineId timeline();

    /** Where the record starts ({@code ReadRecPtr}). */
    Lsn start();

    /** Just past the record, 8-byte aligned ({@code EndRecPtr}, what {@code XLogInsert} returned). */
    Lsn end();

    /** The record's timestamp ({@code xact_time} or {@code rp_time}), to the microsecond. */
    Instant time();

    /**
     * The end of a transaction: a commit or abort record ({@code RM_XACT}).
     *
     * @param xid the transaction recovery compares with {@code recovery_target_xid}: the record's
     *            {@code xl_xid} for a plain commit or abort, the prepared transaction's xid (from the
     *            record body) for {@code COMMIT PREPARED} and {@code ROLLBACK PREPARED}; unsigned 32-bit
     * @param kind which of the four it is
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} if {@code xid} is not an unsigned 32-bit value
     */
    record TransactionEnd(TimelineId timeline, Lsn start, Lsn end, long xid, Instant time, Kind kind)
            implements WalTargetEvent {

        /** The four records that end a transaction, by {@code xl_info & XLOG_XACT_OPMASK}. */
        public enum Kind {
            /** {@code XLOG_XACT_COMMIT} (0x00). */
            COMMIT,
            /** {@code XLOG_XACT_ABORT} (0x20). */
            ABORT,
            /** {@code XLOG_XACT_COMMIT_PREPARED} (0x30). */
            COMMIT_PREPARED,
            /** {@code XLOG_XACT_ABORT_PREPARED} (0x40). */
            ABORT_PREPARED
        }

        public TransactionEnd {
            Objects.requireNonNull(timeline, "timeline");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(kind, "kind");
            if (xid < 0 || xid > 0xFFFF_FFFFL) {
                throw new CellarException(ErrorCode.INVALID_VALUE, "invalid transaction id %d: expected 0 to 4294967295".formatted(xid));
            }
        }

        /** Whether the transaction committed. */
        public boolean committed() {
            return kind == Kind.COMMIT || kind == Kind.COMMIT_PREPARED;
        }

        /** Whether it was a prepared (two-phase) transaction. */
        public boolean prepared() {
            return kind == Kind.COMMIT_PREPARED || kind == Kind.ABORT_PREPARED;
        }
    }

    /**
     * A named restore point ({@code XLOG_RESTORE_POINT}, written by {@code pg_create_restore_point}).
     *
     * @param name the name as stored: at most 63 bytes, decoded as UTF-8
     */
    record RestorePoint(TimelineId timeline, Lsn start, Lsn end, String name, Instant time) implements WalTargetEvent {
        public RestorePoint {
            Objects.requireNonNull(timeline, "timeline");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(time, "time");
        }
    }
}
