package dev.cellar.walreceiver.protocol;

import dev.cellar.core.Lsn;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * The 'r' status update a streaming client sends in CopyData ([proto]
 * protocol-replication-standby-status-update): positions are "last byte + 1"; {@code flush} moves
 * the slot's {@code restart_lsn}, so it must never pass what is durably stored; {@link Lsn#INVALID}
 * means "unknown" and keeps WAL retained.
 *
 * <p>Immutable and thread-safe.
 *
 * @param write          WAL received and written
 * @param flush          WAL durably stored
 * @param apply          WAL applied (a backup server applies nothing: {@link Lsn#INVALID})
 * @param clientTimeMicros client clock, PostgreSQL microseconds since 2000-01-01
 * @param replyRequested ask the server to answer at once with a keepalive
 */
public record StandbyStatusUpdate(Lsn write, Lsn flush, Lsn apply, long clientTimeMicros, boolean replyRequested) {
    /** 'r' + four int64 + one byte. */
    public static final int LENGTH = 34;

    public StandbyStatusUpdate {
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(flush, "flush");
        Objects.requireNonNull(apply, "apply");
    }

    public static StandbyStatusUpdate of(Lsn write, Lsn flush, Lsn apply, Instant clientTime, boolean replyRequested) {
        return new StandbyStatusUpdate(write, flush, apply, PostgresTimestamps.toMicros(clientTime), replyRequested);
    }

    /** Writes the 34-byte payload at the buffer's position (which advances). */
    public void writeTo(ByteBuffer out) {
        out.put((byte) 'r')
                .putLong(write.value())
                .putLong(flush.value())
                .putLong(apply.value())
                .putLong(clientTimeMicros)
                .put((byte) (replyRequested ? 1 : 0));
    }

    /** The 34-byte payload in a new buffer, ready to send as CopyData. */
    public ByteBuffer encode() {
        ByteBuffer out = ByteBuffer.allocate(LENGTH);
        writeTo(out);
        return out.flip();
    }
}
