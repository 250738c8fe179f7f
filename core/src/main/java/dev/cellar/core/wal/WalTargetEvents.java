package dev.cellar.core.wal;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds the {@link WalTargetEvent}s in WAL: decodes commit, abort and restore-point records as
 * PostgreSQL 15–18 write them.
 *
 * <p>Transaction ends follow xactdesc.c {@code ParseCommitRecord}/{@code ParseAbortRecord}: after
 * {@code xact_time} (8 bytes) come, as {@code xl_xact_xinfo} says (present when {@code xl_info} has
 * {@code XLOG_XACT_HAS_INFO} 0x80): database info (8 bytes), subtransactions (count + 4 each),
 * relation files (count + 12 each), dropped statistics (count + 12 each in 15–17, 16 in 18, where
 * {@code xl_xact_stats_item} gained a 64-bit object id), invalidation messages (commits only, count
 * + 16 each), then the two-phase xid. Restore points are {@code xl_restore_point}: {@code rp_time}
 * (8 bytes) and a 64-byte NUL-terminated name.
 *
 * <p>Stateless and thread-safe.
 */
public final class WalTargetEvents {

    private static final int XLOG_RESTORE_POINT = 0x70;
    private static final int XLOG_XACT_OPMASK = 0x70;
    private static final int XLOG_XACT_COMMIT = 0x00;
    private static final int XLOG_XACT_ABORT = 0x20;
    private static final int XLOG_XACT_COMMIT_PREPARED = 0x30;
    private static final int XLOG_XACT_ABORT_PREPARED = 0x40;
    private static final int XLOG_XACT_HAS_INFO = 0x80;

    private static final int XACT_XINFO_HAS_DBINFO = 1;
    private static final int XACT_XINFO_HAS_SUBXACTS = 1 << 1;
    private static final int XACT_XINFO_HAS_RELFILELOCATORS = 1 << 2;
    private static final int XACT_XINFO_HAS_INVALS = 1 << 3;
    private static final int XACT_XINFO_HAS_TWOPHASE = 1 << 4;
    private static final int XACT_XINFO_HAS_DROPPED_STATS = 1 << 8;

    private static final int TIMESTAMP_SIZE = 8;
    private static final int MAXFNAMELEN = 64;
    private static final int RELFILELOCATOR_SIZE = 12;
    private static final int SHARED_INVALIDATION_MESSAGE_SIZE = 16;

    /** Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's timestamp epoch. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private WalTargetEvents() {
    }

    /**
     * Whether a record with this header may be an event: the main data {@link #decode} needs. A reader
     * should keep the main data of exactly these records ({@link WalRecordReader.Builder#keepMainDataOf}).
     */
    public static boolean isCandidate(WalRecordHeader header) {
        return switch (header.resourceManager()) {
            case WalRecordHeader.RM_XLOG -> header.rmgrInfo() == XLOG_RESTORE_POINT;
            case WalRecordHeader.RM_XACT -> kind(header.info()).isPresent();
            default -> false;
        };
    }

    /**
     * A reader (default settings) that hands {@code events} the events of every record it reads, in WAL order.
     */
    public static WalRecordReader reader(Consumer<? super WalTargetEvent> events) {
        return reader(WalRecordReader.builder(), events);
    }

    /** A reader with {@code builder}'s settings, keeping the main data of {@link #isCandidate} records. */
    public static WalRecordReader reader(WalRecordReader.Builder builder, Consumer<? super WalTargetEvent> events) {
        Objects.requireNonNull(events, "events");
        return builder.keepMainDataOf(WalTargetEvents::isCandidate)
                .build(record -> decode(record).ifPresent(events));
    }

    /**
     * The event a record is, if it is one.
     *
     * @throws IllegalArgumentException if the record is a {@linkplain #isCandidate candidate} read without its main data
     * @throws CellarException {@link ErrorCode#WAL_INVALID} if its main data is too short for what it announces
     */
    public static Optional<WalTargetEvent> decode(WalRecord record) {
        if (!isCandidate(record.header())) {
            return Optional.empty();
        }
        ByteBuffer data = record.mainData().orElseThrow(() -> new IllegalArgumentException(
                "the record at %s was read without its main data".formatted(record.start())));
        if (record.resourceManager() == WalRecordHeader.RM_XLOG) {
            return Optional.of(restorePoint(record, data));
        }
        return Optional.of(transactionEnd(record, data, kind(record.info()).orElseThrow()));
    }

    private static Optional<WalTargetEvent.TransactionEnd.Kind> kind(int info) {
        return switch (info & XLOG_XACT_OPMASK) {
            case XLOG_XACT_COMMIT -> Optional.of(WalTargetEvent.TransactionEnd.Kind.COMMIT);
            case XLOG_XACT_ABORT -> Optional.of(WalTargetEvent.TransactionEnd.Kind.ABORT);
            case XLOG_XACT_COMMIT_PREPARED -> Optional.of(WalTargetEvent.TransactionEnd.Kind.COMMIT_PREPARED);
            case XLOG_XACT_ABORT_PREPARED -> Optional.of(WalTargetEvent.TransactionEnd.Kind.ABORT_PREPARED);
            default -> Optional.empty();
        };
    }

    private static WalTargetEvent.RestorePoint restorePoint(WalRecord record, ByteBuffer data) {
        Body body = new Body(record, data, "restore point record");
        Instant time = body.timestamp();
        int from = body.skip(MAXFNAMELEN, 1);
        int length = 0;
        while (length < MAXFNAMELEN && data.get(from + length) != 0) {
            length++;
        }
        byte[] name = new byte[length];
        data.get(from, name);
        return new WalTargetEvent.RestorePoint(record.timeline(), record.start(), record.end(),
                new String(name, StandardCharsets.UTF_8), time);
    }

    private static WalTargetEvent.TransactionEnd transactionEnd(WalRecord record, ByteBuffer data,
                                                                WalTargetEvent.TransactionEnd.Kind kind) {
        boolean commit = kind == WalTargetEvent.TransactionEnd.Kind.COMMIT
                || kind == WalTargetEvent.TransactionEnd.Kind.COMMIT_PREPARED;
        Body body = new Body(record, data, commit ? "commit record" : "abort record");
        Instant time = body.timestamp();
        int xinfo = (record.info() & XLOG_XACT_HAS_INFO) != 0 ? (int) body.u32() : 0;
        if ((xinfo & XACT_XINFO_HAS_DBINFO) != 0) {
            body.skip(8, 1);
        }
        if ((xinfo & XACT_XINFO_HAS_SUBXACTS) != 0) {
            body.array("subtransactions", Integer.BYTES);
        }
        if ((xinfo & XACT_XINFO_HAS_RELFILELOCATORS) != 0) {
            body.array("relation files", RELFILELOCATOR_SIZE);
        }
        if ((xinfo & XACT_XINFO_HAS_DROPPED_STATS) != 0) {
            body.array("dropped statistics", statsItemSize(record.major()));
        }
        if (commit && (xinfo & XACT_XINFO_HAS_INVALS) != 0) {
            body.array("invalidation messages", SHARED_INVALIDATION_MESSAGE_SIZE);
        }
        long twophaseXid = (xinfo & XACT_XINFO_HAS_TWOPHASE) != 0 ? body.u32() : 0;
        // xlogrecovery.c: a prepared transaction's end is known by the xid in the body; the record's
        // own xl_xid is that of the session that ran COMMIT/ROLLBACK PREPARED (usually none).
        long xid = kind == WalTargetEvent.TransactionEnd.Kind.COMMIT_PREPARED
                || kind == WalTargetEvent.TransactionEnd.Kind.ABORT_PREPARED ? twophaseXid : record.xid();
        return new WalTargetEvent.TransactionEnd(record.timeline(), record.start(), record.end(), xid, time, kind);
    }

    /** {@code sizeof(xl_xact_stats_item)}: kind, dboid, objoid (15–17); kind, dboid, objid_lo, objid_hi (18). */
    static int statsItemSize(int major) {
        return major >= 18 ? 16 : 12;
    }

    /** PostgreSQL's {@code TimestampTz} (microseconds since 2000-01-01 UTC) as an instant. */
    static Instant instant(long postgresMicros) {
        return Instant.ofEpochSecond(POSTGRES_EPOCH_SECONDS + Math.floorDiv(postgresMicros, 1_000_000L),
                Math.floorMod(postgresMicros, 1_000_000L) * 1_000L);
    }

    /** Reads a record's main data front to back, failing with the record's place when it runs out. */
    private static final class Body {
        private final WalRecord record;
        private final ByteBuffer data;
        private final String what;
        private int pos;

        Body(WalRecord record, ByteBuffer data, String what) {
            this.record = record;
            this.data = data.order(ByteOrder.LITTLE_ENDIAN);
            this.what = what;
        }

        Instant timestamp() {
            int at = skip(TIMESTAMP_SIZE, 1);
            return instant(data.getLong(at));
        }

        long u32() {
            int at = skip(Integer.BYTES, 1);
            return Integer.toUnsignedLong(data.getInt(at));
        }

        void array(String field, int itemSize) {
            int count = data.getInt(skip(Integer.BYTES, 1));
            if (count < 0) {
                throw invalid("%d %s at offset %d".formatted(count, field, pos - Integer.BYTES));
            }
            skip(itemSize, count);
        }

        /** Moves past {@code count} items of {@code size} bytes; returns where they start. */
        int skip(int size, int count) {
            long bytes = (long) size * count;
            if (bytes > data.limit() - pos) {
                throw invalid("main data of %d bytes, too short for the %d bytes at offset %d".formatted(data.limit(), bytes, pos));
            }
            int at = pos;
            pos += (int) bytes;
            return at;
        }

        private CellarException invalid(String problem) {
            return new CellarException(ErrorCode.WAL_INVALID, "%s at %s (timeline %s): %s"
                    .formatted(what, record.start(), record.timeline(), problem),
                    "the WAL cannot be read past %s: use an intact copy of the segment holding it".formatted(record.start()));
        }
    }
}
