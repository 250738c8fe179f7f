package dev.cellar.walreceiver.stream;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import dev.cellar.storage.repository.WalGap;

/**
 * A snapshot of one cluster's stream, for status, metrics and tests. Immutable.
 *
 * @param state         what the stream is doing
 * @param server        host:port of the server streamed from, when connected
 * @param timeline      the timeline being received
 * @param received      end of the WAL written to the spool
 * @param flushed       end of the WAL fsynced: the position reported to the server
 * @param serverWalEnd  the server's WAL end as last reported by it
 * @param lastMessageAt when the server last sent anything
 * @param lastError     the last failure, kept until the stream streams again
 * @param sessions      how many times the stream connected (reconnections are {@code sessions - 1})
 * @param lastGap       the most recent WAL gap this stream recorded, if any: a problem to show
 */
public record WalStreamStatus(State state, Optional<String> server, Optional<TimelineId> timeline, Lsn received,
                              Lsn flushed, Lsn serverWalEnd, Optional<Instant> lastMessageAt,
                              Optional<Instant> caughtUpAt, Optional<String> lastError, long sessions,
                              Optional<WalGap> lastGap) {

    public enum State { STARTING, CONNECTING, STREAMING, RECONNECTING, STOPPED, FAILED }

    public static WalStreamStatus starting() {
        return new WalStreamStatus(State.STARTING, Optional.empty(), Optional.empty(), Lsn.INVALID, Lsn.INVALID,
                Lsn.INVALID, Optional.empty(), Optional.empty(), Optional.empty(), 0, Optional.empty());
    }

    /** Bytes the server has that are not yet durable here (0 when unknown or caught up). */
    public long lagBytes() {
        return serverWalEnd.isAfter(flushed) && !flushed.isInvalid() ? serverWalEnd.minus(flushed) : 0;
    }

    /** How long the durable position has been behind the server's WAL end (zero when caught up). */
    public Duration lag(Instant now) {
        if (lagBytes() == 0 || caughtUpAt.isEmpty()) {
            return Duration.ZERO;
        }
        return Duration.between(caughtUpAt.get(), now);
    }

    WalStreamStatus with(State newState) {
        return new WalStreamStatus(newState, server, timeline, received, flushed, serverWalEnd, lastMessageAt,
                caughtUpAt, lastError, sessions, lastGap);
    }
}
