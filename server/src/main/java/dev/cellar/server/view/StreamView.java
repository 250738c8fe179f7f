package dev.cellar.server.view;

import dev.cellar.core.Lsn;
import dev.cellar.walreceiver.stream.WalStreamStatus;
import java.time.Instant;
import java.util.Locale;

/**
 * A cluster's WAL stream right now.
 *
 * @param state        starting, connecting, streaming, reconnecting, stopped or failed
 * @param server       host:port streamed from, while connected
 * @param flushedLsn   end of the WAL that is durable here (what Cellar reported to the server)
 * @param serverLsn    the server's WAL end as it last reported it
 * @param lagBytes     WAL the server has that is not durable here yet
 * @param lagSeconds   how long the durable position has been behind
 * @param reconnects   connections after the first one
 */
public record StreamView(String state, String server, Long timeline, String receivedLsn, String flushedLsn,
                         String serverLsn, long lagBytes, double lagSeconds, Instant lastMessageAt, String lastError,
                         long reconnects) {

    public static StreamView of(WalStreamStatus s, Instant now) {
        return new StreamView(s.state().name().toLowerCase(Locale.ROOT), s.server().orElse(null),
                s.timeline().map(t -> t.value()).orElse(null), lsn(s.received()), lsn(s.flushed()),
                lsn(s.serverWalEnd()), s.lagBytes(), s.lag(now).toMillis() / 1000.0, s.lastMessageAt().orElse(null),
                s.lastError().orElse(null), Math.max(0, s.sessions() - 1));
    }

    public boolean streaming() {
        return "streaming".equals(state);
    }

    private static String lsn(Lsn lsn) {
        return lsn.isInvalid() ? null : lsn.toString();
    }
}
