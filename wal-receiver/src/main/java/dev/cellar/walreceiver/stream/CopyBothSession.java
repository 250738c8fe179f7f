package dev.cellar.walreceiver.stream;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.ServerErrorException;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.StandbyStatusUpdate;
import dev.cellar.walreceiver.protocol.WalStreamMessage;
import dev.cellar.walreceiver.segment.WalSegmentWriter;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Streams one timeline: START_REPLICATION, then the CopyBoth loop (PROTOCOL.md §3). WAL goes to the
 * writer; fsync follows the policy (every message in synchronous mode, else by interval and size);
 * the flush position reported to the server is always the writer's durable position, never more.
 * Ends at the timeline's end (returning the switch), on a stop request (returning empty), or with
 * an exception. Not thread-safe; one per stream thread.
 */
final class CopyBothSession {
    private static final Duration TICK = Duration.ofMillis(100);
    /**
     * Like wal_receiver_timeout: silence this long gets a status update asking for a reply; twice
     * this long ends the session. Without it a primary that lost power is noticed only when TCP
     * gives up retransmitting (about 15 minutes on Linux), since an idle walsender sends nothing.
     */
    private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(30);

    private final ReplicationConnection connection;
    private final WalSegmentWriter writer;
    private final WalStreamSettings settings;
    private final Clock clock;
    private final BooleanSupplier stopRequested;
    private final Consumer<Progress> progress;

    private Lsn serverWalEnd = Lsn.INVALID;
    private Instant lastMessageAt;
    private Instant lastSyncAt;
    private Instant lastStatusAt;
    private Instant caughtUpAt;
    private TimelineId currentTimeline;
    private Instant streamStartedAt;
    private boolean pingSent;

    /** What the stream has done so far, for its status. */
    record Progress(TimelineId timeline, Lsn received, Lsn flushed, Lsn serverWalEnd, Optional<Instant> lastMessageAt,
                    Optional<Instant> caughtUpAt) {
    }

    CopyBothSession(ReplicationConnection connection, WalSegmentWriter writer, WalStreamSettings settings, Clock clock,
                    BooleanSupplier stopRequested, Consumer<Progress> progress) {
        this.connection = connection;
        this.writer = writer;
        this.settings = settings;
        this.clock = clock;
        this.stopRequested = stopRequested;
        this.progress = progress;
    }

    /**
     * Streams {@code timeline} from {@code start}, where the writer has begun.
     *
     * @throws WalRemovedException when the server no longer has the WAL at {@code start}
     */
    Optional<TimelineSwitch> stream(TimelineId timeline, Lsn start) {
        connection.sendQuery("START_REPLICATION SLOT \"" + settings.slot() + "\" PHYSICAL " + start + " TIMELINE "
                + timeline.value());
        while (true) {
            BackendMessage message = read(Duration.ofSeconds(60));
            switch (message) {
                case BackendMessage.CopyResponse copy when copy.direction() == BackendMessage.CopyDirection.BOTH -> {
                    return copyLoop(timeline);
                }
                case BackendMessage.ErrorResponse error -> {
                    RuntimeException refused = failure(error, "START_REPLICATION at " + start + " on timeline "
                            + timeline);
                    drainToReady();
                    throw refused;
                }
                // Asked for a historic timeline exactly at its end: no copy, the next timeline at once.
                case BackendMessage.RowDescription rows -> {
                    return Optional.of(readSwitch());
                }
                default -> {
                    // NoticeResponse, ParameterStatus: nothing to do.
                }
            }
        }
    }

    private Optional<TimelineSwitch> copyLoop(TimelineId timeline) {
        currentTimeline = timeline;
        Instant now = clock.instant();
        streamStartedAt = now;
        lastMessageAt = null;
        pingSent = false;
        lastSyncAt = now;
        // No status update before the server has sent anything: reporting our start position as
        // flushed would move the slot's restart_lsn back to it, and if the server has already
        // removed that WAL, the slot would then no longer say where the WAL it still has begins.
        lastStatusAt = now;
        connection.setReadTimeout(TICK);
        while (true) {
            if (stopRequested.getAsBoolean()) {
                stopStreaming();
                return Optional.empty();
            }
            BackendMessage message;
            try {
                message = connection.readMessage();
            } catch (SocketTimeoutException idle) {
                message = null;
            }
            now = clock.instant();
            if (message != null) {
                lastMessageAt = now;
                pingSent = false;
                switch (message) {
                    case BackendMessage.CopyData data -> onCopyData(data, now);
                    case BackendMessage.CopyDone done -> {
                        // End of the timeline (promotion, or a historic timeline fully sent): make what
                        // we have durable and say so, then end our side of the copy at once (the
                        // walsender spins until we do).
                        writer.sync();
                        sendStatus(false);
                        connection.sendCopyDone();
                        return Optional.of(readSwitch());
                    }
                    case BackendMessage.ErrorResponse error -> {
                        // For example "requested WAL segment … has already been removed" right after
                        // CopyBothResponse. The walsender returns to command mode: drain to
                        // ReadyForQuery so that the caller can still ask about the slot.
                        RuntimeException refused = failure(error, "streaming timeline " + timeline);
                        connection.setReadTimeout(Duration.ofSeconds(30));
                        drainToReady();
                        throw refused;
                    }
                    case BackendMessage.CommandComplete complete -> {
                        // A server shutting down ends the copy without CopyDone, then closes.
                        writer.sync();
                        throw new CellarException(ErrorCode.CONNECTION_FAILED, "cluster " + settings.cluster()
                                + ": server " + connection.endpoint() + " ended the stream (" + complete.tag()
                                + "): it is shutting down", "Cellar reconnects, through the conninfo's other hosts "
                                + "if the primary changed.");
                    }
                    default -> {
                        // NoticeResponse, ParameterStatus.
                    }
                }
            }
            maybeSyncAndReport(now);
            checkSilence(now);
            publishProgress();
        }
    }

    private void onCopyData(BackendMessage.CopyData data, Instant now) {
        switch (WalStreamMessage.parse(data.payload())) {
            case WalStreamMessage.XLogData xlog -> {
                writer.write(xlog.dataStart(), xlog.data());
                serverWalEnd = Lsn.max(serverWalEnd, xlog.walEnd());
                // Synchronous mode: fsync and report before waiting for anything more, but not
                // between messages that have already arrived — as pg_receivewal does, one fsync
                // covers everything received so far (commits wait for that report either way).
                if (settings.synchronous() && !connection.hasBufferedMessage()) {
                    writer.sync();
                    lastSyncAt = now;
                    sendStatus(false);
                }
            }
            case WalStreamMessage.PrimaryKeepalive keepalive -> {
                serverWalEnd = Lsn.max(serverWalEnd, keepalive.walEnd());
                if (keepalive.replyRequested()) {
                    // The server waits for this answer (and shuts down only after it): report
                    // everything durable, as pg_receivewal fsyncs before answering.
                    writer.sync();
                    lastSyncAt = now;
                    sendStatus(false);
                }
            }
        }
    }

    private void checkSilence(Instant now) {
        Instant heardAt = lastMessageAt != null ? lastMessageAt : streamStartedAt;
        Duration silence = Duration.between(heardAt, now);
        if (silence.compareTo(RECEIVE_TIMEOUT.multipliedBy(2)) >= 0) {
            writer.sync();
            throw new CellarException(ErrorCode.CONNECTION_FAILED, "cluster " + settings.cluster() + ": "
                    + connection.endpoint() + " sent nothing for " + silence.toSeconds() + " s, not even a keepalive",
                    "Cellar reconnects; if the primary is gone, through the conninfo's other hosts.");
        }
        if (silence.compareTo(RECEIVE_TIMEOUT) >= 0 && !pingSent) {
            sendStatus(true);
            pingSent = true;
        }
    }

    private void maybeSyncAndReport(Instant now) {
        long unsynced = writer.unsyncedBytes();
        boolean dueBySize = unsynced >= settings.fsyncBytes();
        boolean dueByTime = unsynced > 0 && !now.isBefore(lastSyncAt.plus(settings.fsyncInterval()));
        if (dueBySize || dueByTime) {
            writer.sync();
            lastSyncAt = now;
            sendStatus(false);
        } else if (!now.isBefore(lastStatusAt.plus(settings.statusInterval()))) {
            sendStatus(false);
        }
    }

    private void sendStatus(boolean replyRequested) {
        Instant now = clock.instant();
        // apply = 0 as pg_receivewal does: nothing is replayed here. (A primary using
        // synchronous_commit = remote_apply would therefore wait on Cellar: use on or remote_write.)
        StandbyStatusUpdate update = StandbyStatusUpdate.of(writer.received(), writer.durable(), Lsn.INVALID, now,
                replyRequested);
        connection.sendCopyData(update.encode());
        connection.flush();
        lastStatusAt = now;
        publishProgress();
    }

    /**
     * Publishes the stream's position. Called right after every status update too, so that what
     * others read as "flushed" is never behind what the server was told.
     */
    private void publishProgress() {
        if (!serverWalEnd.isAfter(writer.durable())) {
            caughtUpAt = clock.instant();
        }
        progress.accept(new Progress(currentTimeline, writer.received(), writer.durable(), serverWalEnd,
                Optional.ofNullable(lastMessageAt), Optional.ofNullable(caughtUpAt)));
    }

    private void stopStreaming() {
        writer.sync();
        sendStatus(false);
        connection.sendCopyDone();
        connection.setReadTimeout(Duration.ofSeconds(30));
        while (true) {
            BackendMessage message = read(Duration.ofSeconds(30));
            if (message instanceof BackendMessage.ReadyForQuery) {
                // WAL that arrived after our last report is made durable (but not reported: the
                // next session reports it).
                writer.sync();
                publishProgress();
                return;
            }
            if (message instanceof BackendMessage.CopyData data) {
                // WAL still in flight when we said stop: keep it, it is WAL like any other.
                if (WalStreamMessage.parse(data.payload()) instanceof WalStreamMessage.XLogData xlog) {
                    writer.write(xlog.dataStart(), xlog.data());
                }
            }
            if (message instanceof BackendMessage.ErrorResponse error) {
                throw failure(error, "stopping the stream");
            }
        }
    }

    /** After the copy ended at a timeline's end: next_tli, next_tli_startpos, then ReadyForQuery. */
    private TimelineSwitch readSwitch() {
        TimelineSwitch next = null;
        while (true) {
            BackendMessage message = read(Duration.ofSeconds(60));
            switch (message) {
                case BackendMessage.DataRow row -> next = new TimelineSwitch(TimelineId.of(Long.parseLong(row.text(0))),
                        Lsn.parse(row.text(1)));
                case BackendMessage.ErrorResponse error -> throw failure(error, "ending the timeline");
                case BackendMessage.ReadyForQuery ready -> {
                    if (next == null) {
                        throw new CellarException(ErrorCode.PROTOCOL_ERROR, "cluster " + settings.cluster() + ": "
                                + connection.endpoint() + " ended the stream without naming the next timeline");
                    }
                    // As pg_receivewal checks: the next timeline must be newer and must not start
                    // beyond what we received, or WAL would be skipped silently.
                    if (currentTimeline != null && !currentTimeline.isBefore(next.nextTimeline())
                            || next.nextStart().isAfter(writer.received())) {
                        throw new CellarException(ErrorCode.PROTOCOL_ERROR, "cluster " + settings.cluster() + ": "
                                + connection.endpoint() + " named timeline " + next.nextTimeline() + " from "
                                + next.nextStart() + " after timeline " + currentTimeline + " ended at "
                                + writer.received() + ": that would skip WAL");
                    }
                    return next;
                }
                default -> {
                    // RowDescription, CommandComplete START_STREAMING / START_REPLICATION, notices.
                }
            }
        }
    }

    /** After an error to a command the server still sends ReadyForQuery; the connection stays usable. */
    private void drainToReady() {
        while (!(read(Duration.ofSeconds(30)) instanceof BackendMessage.ReadyForQuery)) {
            // Skip notices until the server is ready for the next command.
        }
    }

    private BackendMessage read(Duration timeout) {
        Duration previous = connection.readTimeout();
        connection.setReadTimeout(timeout);
        try {
            return connection.readMessage();
        } catch (SocketTimeoutException e) {
            throw new CellarException(ErrorCode.CONNECTION_FAILED, "cluster " + settings.cluster() + ": "
                    + connection.endpoint() + " did not answer within " + timeout.toSeconds() + " s", null, e);
        } finally {
            if (!connection.isClosed()) {
                connection.setReadTimeout(previous);
            }
        }
    }

    private RuntimeException failure(BackendMessage.ErrorResponse error, String during) {
        ServerErrorException e = new ServerErrorException("cluster " + settings.cluster() + ": " + connection.endpoint()
                + " refused " + during + ": " + error.diagnostic().message(), error.diagnostic(), null);
        if (WalRemovedException.matches(e)) {
            return new WalRemovedException(e);
        }
        return e;
    }
}
