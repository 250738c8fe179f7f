package dev.cellar.restore.plan;

import dev.cellar.core.Lsn;
import java.time.Instant;
import java.util.Objects;

/**
 * Where recovery stops ({@code recovery_target*}, PostgreSQL's "Recovery Target" settings).
 * Immutable; no component is {@code null}.
 */
public sealed interface RecoveryTarget {

    /** Replay all archived WAL: the newest state the repository holds. PostgreSQL's default. */
    record Latest() implements RecoveryTarget {
    }

    /** Stop as soon as the backup is consistent ({@code recovery_target = 'immediate'}). */
    record Immediate() implements RecoveryTarget {
    }

    /** Stop at the first transaction that ended after {@code time} ({@code recovery_target_time}). */
    record AtTime(Instant time) implements RecoveryTarget {
        public AtTime {
            Objects.requireNonNull(time, "time");
        }
    }

    /** Stop at {@code lsn} ({@code recovery_target_lsn}). */
    record AtLsn(Lsn lsn) implements RecoveryTarget {
        public AtLsn {
            Objects.requireNonNull(lsn, "lsn");
            if (lsn.isInvalid()) {
                throw new IllegalArgumentException("0/0 is not a recovery target");
            }
        }
    }

    /**
     * Stop at the end of transaction {@code xid} ({@code recovery_target_xid}). An epoch-qualified
     * 64-bit ID (from {@code pg_current_xact_id()}) is accepted as PostgreSQL accepts it: recovery
     * compares its low 32 bits.
     */
    record AtXid(long xid) implements RecoveryTarget {
        public AtXid {
            if (xid < 0 || (xid & 0xFFFF_FFFFL) < 3) {
                throw new IllegalArgumentException("transaction ID " + xid + " is not a normal transaction ID");
            }
        }

        /** The 32-bit ID recovery compares with commit and abort records. */
        public long xid32() {
            return xid & 0xFFFF_FFFFL;
        }
    }

    /** Stop at the restore point {@code name} ({@code recovery_target_name}, pg_create_restore_point). */
    record AtName(String name) implements RecoveryTarget {
        /** MAXFNAMELEN - 1: the longest name pg_create_restore_point accepts. */
        public static final int MAX_LENGTH = 63;

        public AtName {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LENGTH) {
                throw new IllegalArgumentException("a restore point name has 1 to " + MAX_LENGTH + " bytes");
            }
        }
    }
}
