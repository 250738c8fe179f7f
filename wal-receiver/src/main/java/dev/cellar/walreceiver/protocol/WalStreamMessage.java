package dev.cellar.walreceiver.protocol;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * The payload of a CopyData message the server sends during physical streaming
 * (START_REPLICATION): WAL ('w') or a keepalive ('k'). Integers are big-endian ([proto]
 * protocol-replication-xlogdata, protocol-replication-primary-keepalive-message).
 *
 * <p>The records are immutable except that {@link XLogData#data()} shares the bytes it was parsed
 * from (normally {@link BackendMessage.CopyData#payload()}, itself valid only until the next read).
 */
public sealed interface WalStreamMessage {

    /**
     * Parses one streaming CopyData payload (from its position to its limit; the buffer is not moved).
     *
     * @throws CellarException {@link ErrorCode#PROTOCOL_ERROR} for an unknown kind or wrong size
     */
    static WalStreamMessage parse(ByteBuffer payload) {
        ByteBuffer in = payload.duplicate();
        if (!in.hasRemaining()) {
            throw malformed("an empty CopyData message");
        }
        byte kind = in.get();
        return switch (kind) {
            case 'w' -> {
                require(in, XLogData.HEADER_LENGTH - 1, "XLogData");
                Lsn start = Lsn.of(in.getLong());
                Lsn end = Lsn.of(in.getLong());
                long sendTime = in.getLong();
                yield new XLogData(start, end, sendTime, in.slice());
            }
            case 'k' -> {
                if (in.remaining() != PrimaryKeepalive.LENGTH - 1) {
                    throw malformed("a keepalive of " + (in.remaining() + 1) + " bytes (expected "
                            + PrimaryKeepalive.LENGTH + ")");
                }
                yield new PrimaryKeepalive(Lsn.of(in.getLong()), in.getLong(), in.get() != 0);
            }
            default -> throw malformed("a streaming message of unknown kind " + BackendMessageParser.describeType(kind));
        };
    }

    private static void require(ByteBuffer in, int bytes, String what) {
        if (in.remaining() < bytes) {
            throw malformed("an " + what + " message of " + (in.remaining() + 1) + " bytes (at least "
                    + (bytes + 1) + " expected)");
        }
    }

    private static CellarException malformed(String what) {
        return new CellarException(ErrorCode.PROTOCOL_ERROR, "protocol violation in the WAL stream: " + what);
    }

    /**
     * 'w' XLogData: WAL bytes starting at {@code dataStart}.
     *
     * @param dataStart      LSN of the first byte of {@code data}
     * @param walEnd         the server's current end of WAL it may send (flush LSN on a primary)
     * @param sendTimeMicros server clock at sending, PostgreSQL microseconds (see {@link #sendTime()})
     * @param data           the WAL bytes, position 0; shares the parsed buffer
     */
    record XLogData(Lsn dataStart, Lsn walEnd, long sendTimeMicros, ByteBuffer data) implements WalStreamMessage {
        /** 'w' + three int64. */
        public static final int HEADER_LENGTH = 25;

        public XLogData {
            Objects.requireNonNull(dataStart, "dataStart");
            Objects.requireNonNull(walEnd, "walEnd");
            Objects.requireNonNull(data, "data");
        }

        /** The LSN just after the last byte of {@code data}. */
        public Lsn dataEnd() {
            return dataStart.plus(data.remaining());
        }

        public Instant sendTime() {
            return PostgresTimestamps.toInstant(sendTimeMicros);
        }

        @Override
        public String toString() {
            return "XLogData[" + dataStart + ", " + data.remaining() + " bytes, walEnd " + walEnd + "]";
        }
    }

    /**
     * 'k' primary keepalive.
     *
     * @param walEnd         the server's send position
     * @param sendTimeMicros server clock, PostgreSQL microseconds
     * @param replyRequested whether the client must answer with a status update now (or be timed out)
     */
    record PrimaryKeepalive(Lsn walEnd, long sendTimeMicros, boolean replyRequested) implements WalStreamMessage {
        /** 'k' + int64 + int64 + byte. */
        public static final int LENGTH = 18;

        public PrimaryKeepalive {
            Objects.requireNonNull(walEnd, "walEnd");
        }

        public Instant sendTime() {
            return PostgresTimestamps.toInstant(sendTimeMicros);
        }
    }
}
