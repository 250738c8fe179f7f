package dev.cellar.walreceiver.stream;

import dev.cellar.core.CellarException;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredHistory;
import dev.cellar.storage.repository.WalGap;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.ReplicationConnector;
import dev.cellar.walreceiver.connection.ReplicationSlotInfo;
import dev.cellar.walreceiver.connection.SlotCreation;
import dev.cellar.walreceiver.connection.SystemIdentification;
import dev.cellar.walreceiver.segment.WalSegmentWriter;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous archiving of one cluster's WAL through a physical replication slot. One call of
 * {@link #runSession()} connects (trying the conninfo's hosts in order), checks that the server is
 * the cluster the repository belongs to, makes sure the slot exists, works out where to start,
 * and streams — following timeline switches in-stream — until {@link #requestStop()} or a failure.
 * The {@link WalStreamSupervisor} calls it again after a failure, with backoff.
 *
 * <p>Nothing acknowledged is lost: the flush position sent to the server is only ever what is
 * fsynced, and restarting resumes at the first byte not yet archived. WAL the server no longer
 * has is recorded as a gap in the repository, never skipped silently.
 *
 * <p>{@link #runSession()} runs on one thread; {@link #status()} and {@link #requestStop()} may be
 * called from any thread.
 */
public final class WalStream {
    private static final Logger log = LoggerFactory.getLogger(WalStream.class);

    private final WalStreamSettings settings;
    private final Repository repository;
    private final WalStreamListener listener;
    private final Clock clock;
    private final AtomicReference<WalStreamStatus> status = new AtomicReference<>(WalStreamStatus.starting());
    private volatile boolean stopRequested;

    public WalStream(WalStreamSettings settings, Repository repository, WalStreamListener listener, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.repository = Objects.requireNonNull(repository, "repository");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String cluster() {
        return settings.cluster();
    }

    public WalStreamStatus status() {
        return status.get();
    }

    /** Asks the running session to make everything durable, report it, and return. */
    public void requestStop() {
        stopRequested = true;
    }

    public boolean isStopRequested() {
        return stopRequested;
    }

    /** Records the state the supervisor decided on (reconnecting, failed) with the failure. */
    void markFailure(WalStreamStatus.State state, String error) {
        status.updateAndGet(s -> new WalStreamStatus(state, Optional.empty(), s.timeline(), s.received(), s.flushed(),
                s.serverWalEnd(), s.lastMessageAt(), s.caughtUpAt(), Optional.of(error), s.sessions(), s.lastGap()));
    }

    void markStopped() {
        status.updateAndGet(s -> s.with(WalStreamStatus.State.STOPPED));
    }

    /**
     * One session: connect, prepare, stream until stopped (returns) or failed (throws
     * {@link CellarException}; {@link CellarException#isRetryable()} says whether trying again can help).
     */
    public void runSession() {
        status.updateAndGet(s -> new WalStreamStatus(WalStreamStatus.State.CONNECTING, Optional.empty(), s.timeline(),
                s.received(), s.flushed(), s.serverWalEnd(), s.lastMessageAt(), s.caughtUpAt(), s.lastError(),
                s.sessions() + 1, s.lastGap()));
        try (ReplicationConnection connection = ReplicationConnector.connect(settings.connection())) {
            ServerIdentity server = ServerIdentity.register(connection, repository, settings.cluster(), clock.instant());
            SystemIdentification identity = server.system();
            WalSegmentSize size = server.segmentSize();
            int version = server.serverVersionNum();
            TimelineHistory serverHistory = archiveHistories(connection, identity.timeline());
            RepositoryPublisher publisher = new RepositoryPublisher(repository, settings.cluster(), settings.codec(),
                    listener);
            try (WalSegmentWriter writer = WalSegmentWriter.open(settings.spool(), settings.cluster(),
                    Long.parseUnsignedLong(identity.systemId()), OptionalInt.of(version / 10000), size, publisher)) {
                Optional<ReplicationSlotInfo> slot = ensureSlot(connection);
                StartPoint start = StartPointResolver.resolve(writer.resumeSegment(), lastArchived(serverHistory, size),
                        slot.flatMap(ReplicationSlotInfo::restartLsn), identity.xlogPosition(), serverHistory, size);
                log.info("cluster {}: streaming from {} ({}) on timeline {} of {} through slot {}{}", settings.cluster(),
                        start.lsn(), describe(start.origin()), start.timeline(), connection.endpoint(), settings.slot(),
                        settings.synchronous() ? ", synchronous" : "");
                stream(connection, writer, start, serverHistory, size);
            }
        } finally {
            status.updateAndGet(s -> s.state() == WalStreamStatus.State.STREAMING || s.state()
                    == WalStreamStatus.State.CONNECTING ? s.with(WalStreamStatus.State.RECONNECTING) : s);
        }
    }

    private void stream(ReplicationConnection connection, WalSegmentWriter writer, StartPoint start,
                        TimelineHistory serverHistory, WalSegmentSize size) {
        TimelineId timeline = start.timeline();
        Lsn position = start.lsn();
        String server = connection.endpoint().toString();
        CopyBothSession session = new CopyBothSession(connection, writer, settings, clock, () -> stopRequested,
                p -> status.updateAndGet(s -> new WalStreamStatus(WalStreamStatus.State.STREAMING, Optional.of(server),
                        Optional.of(p.timeline()), p.received(), p.flushed(), p.serverWalEnd(), p.lastMessageAt(),
                        p.caughtUpAt(), Optional.empty(), s.sessions(), s.lastGap())));
        int gapsThisSession = 0;
        Lsn heldUpTo = start.heldUpTo();
        while (true) {
            writer.begin(timeline, position);
            Optional<TimelineSwitch> next;
            try {
                next = session.stream(timeline, position);
            } catch (WalRemovedException removed) {
                if (position.isBefore(heldUpTo)) {
                    // Asked again only to compare with the archived copy, which this server no longer
                    // has (a new primary after a failover): go on from what the repository holds, and
                    // record a gap only if the server lacks that too.
                    log.info("cluster {}: {} no longer has the WAL at {} to compare with the archived copy;"
                            + " continuing at {}", settings.cluster(), server, position, heldUpTo);
                    position = heldUpTo;
                    timeline = StartPointResolver.timelineServing(serverHistory, position, size);
                    continue;
                }
                if (++gapsThisSession > 3) {
                    // The server keeps removing WAL faster than we reach it: stop and retry later.
                    throw removed.serverError();
                }
                Lsn resumeAt = recordGap(connection, writer, timeline, position, Lsn.max(position, heldUpTo), size,
                        removed);
                position = resumeAt;
                timeline = StartPointResolver.timelineServing(serverHistory, position, size);
                continue;
            }
            if (next.isEmpty()) {
                log.info("cluster {}: stopped at {} (durable)", settings.cluster(), writer.durable());
                return;
            }
            TimelineSwitch change = next.get();
            log.info("cluster {}: timeline {} ended; continuing on timeline {} from {}", settings.cluster(), timeline,
                    change.nextTimeline(), change.nextStart());
            writer.endTimeline();
            serverHistory = archiveHistory(connection, change.nextTimeline());
            timeline = change.nextTimeline();
            position = change.nextStart().segmentStart(size);
        }
    }

    /**
     * The server no longer has the WAL at {@code requested}: streaming resumes at the first WAL the
     * slot still protects, and if the repository does not already hold everything before that
     * (up to {@code position}), the gap is recorded durably in the repository before streaming on.
     * After a failover the new primary often lacks the segment Cellar asked for only to compare it
     * with its archived copy; then the slot protects exactly what comes next and there is no gap.
     */
    private Lsn recordGap(ReplicationConnection connection, WalSegmentWriter writer, TimelineId timeline,
                          Lsn requested, Lsn position, WalSegmentSize size, WalRemovedException removed) {
        Optional<Lsn> restart = connection.readReplicationSlot(settings.slot()).flatMap(ReplicationSlotInfo::restartLsn);
        if (restart.isEmpty() || !restart.get().segmentStart(size).isAfter(requested)) {
            // The slot claims to protect WAL the server has removed (an invalidated slot, or one an
            // earlier report moved back). Recreate it: RESERVE_WAL anchors it at WAL that exists.
            log.warn("cluster {}: slot {} on {} does not protect the WAL it claims ({}); recreating it",
                    settings.cluster(), settings.slot(), connection.endpoint(), restart.map(Lsn::toString).orElse("none"));
            connection.dropSlot(settings.slot(), false);
            connection.createPhysicalSlot(settings.slot(), true);
            restart = connection.readReplicationSlot(settings.slot()).flatMap(ReplicationSlotInfo::restartLsn);
            if (restart.isEmpty() || !restart.get().segmentStart(size).isAfter(requested)) {
                throw removed.serverError();
            }
        }
        Lsn resumeAt = restart.get().segmentStart(size);
        // Keep every byte we have: what this session received (the server can remove WAL while we
        // stream) and the fsynced prefix of a segment an earlier session was receiving.
        Lsn gapFrom = Lsn.max(position, writer.received());
        writer.endTimeline();
        Optional<Lsn> salvaged = writer.salvage(dev.cellar.core.WalSegmentName.containing(timeline, position, size));
        if (salvaged.isPresent()) {
            gapFrom = Lsn.max(gapFrom, salvaged.get());
        }
        if (!gapFrom.isBefore(resumeAt)) {
            return resumeAt;
        }
        Lsn from = gapFrom;
        WalGap gap = WalGap.of(settings.cluster(), timeline, from, resumeAt, clock.instant(),
                "WAL from " + from + " to " + resumeAt + " was no longer on " + connection.endpoint()
                        + " (slot " + settings.slot() + " was missing or the WAL was recycled): "
                        + removed.serverError().diagnostic().message());
        WalGap recorded = repository.recordGap(settings.cluster(), gap);
        status.updateAndGet(s -> new WalStreamStatus(s.state(), s.server(), s.timeline(), s.received(), s.flushed(),
                s.serverWalEnd(), s.lastMessageAt(), s.caughtUpAt(), s.lastError(), s.sessions(), Optional.of(recorded)));
        log.error("cluster {}: WAL GAP on timeline {} from {} to {}: {}. Point-in-time recovery into this range is "
                + "impossible; a new base backup is needed.", settings.cluster(), timeline, from, resumeAt,
                gap.reason());
        listener.gapRecorded(settings.cluster(), recorded);
        return resumeAt;
    }

    /** Makes sure the slot exists; creates it (reserving WAL at once) when missing. */
    private Optional<ReplicationSlotInfo> ensureSlot(ReplicationConnection connection) {
        Optional<ReplicationSlotInfo> slot = connection.readReplicationSlot(settings.slot());
        if (slot.isEmpty()) {
            SlotCreation created = connection.createPhysicalSlot(settings.slot(), true);
            if (created == SlotCreation.CREATED) {
                log.warn("cluster {}: created replication slot {} on {} (it was missing)", settings.cluster(),
                        settings.slot(), connection.endpoint());
            }
            slot = connection.readReplicationSlot(settings.slot());
        } else if (slot.get().restartLsn().isEmpty()) {
            // Cellar creates its slot with RESERVE_WAL, so no restart_lsn means the server
            // invalidated it (max_slot_wal_keep_size): it protects nothing. Recreate it; if WAL we
            // need is gone, START_REPLICATION says so and the gap is recorded.
            log.warn("cluster {}: replication slot {} on {} protects no WAL (invalidated?); recreating it",
                    settings.cluster(), settings.slot(), connection.endpoint());
            connection.dropSlot(settings.slot(), false);
            connection.createPhysicalSlot(settings.slot(), true);
            slot = connection.readReplicationSlot(settings.slot());
        }
        return slot;
    }

    /**
     * The newest archived segment; a recorded gap that ends past it counts as archived up to its
     * end (that WAL is known lost, streaming resumes after it rather than discovering it again).
     */
    private Optional<StartPointResolver.Archived> lastArchived(TimelineHistory serverHistory, WalSegmentSize size) {
        Optional<StartPointResolver.Archived> last = Optional.empty();
        java.util.List<TimelineHistory.Span> path = serverHistory.path();
        for (int i = path.size() - 1; i >= 0 && last.isEmpty(); i--) {
            TimelineHistory.Span span = path.get(i);
            last = repository.latestWal(settings.cluster(), span.timeline(), span.end())
                    .map(w -> new StartPointResolver.Archived(w.segment(), w.partial()));
        }
        Optional<WalGap> lastGap = repository.gaps(settings.cluster()).stream()
                .max(java.util.Comparator.comparing(WalGap::to));
        if (lastGap.isPresent() && lastGap.get().to().segmentOffset(size) == 0) {
            dev.cellar.core.WalSegmentName beforeGapEnd = dev.cellar.core.WalSegmentName.forEndLsn(
                    lastGap.get().timeline(), lastGap.get().to(), size);
            boolean gapIsNewer = last.isEmpty() || last.get().segment().endLsn().isBefore(lastGap.get().to());
            if (gapIsNewer) {
                return Optional.of(new StartPointResolver.Archived(beforeGapEnd, false, true));
            }
        }
        return last;
    }

    /**
     * Stores the history file of the server's timeline and of each ancestor on its path; returns
     * the current one. Ancestors' files are derived from the current file (each is its parent's
     * file plus one line, byte for byte), because a server need not have them all: after a
     * point-in-time restore the new timeline's number skips the abandoned ones.
     */
    private TimelineHistory archiveHistories(ReplicationConnection connection, TimelineId current) {
        TimelineHistory history = archiveHistory(connection, current);
        TimelineHistory ancestor = TimelineHistory.initial();
        List<TimelineHistory.Entry> entries = history.entries();
        for (int i = 0; i + 1 < entries.size(); i++) {
            TimelineHistory.Entry entry = entries.get(i);
            ancestor = ancestor.branch(entries.get(i + 1).parent(), entry.switchPoint(), entry.reason());
            StoredHistory stored = repository.putHistory(settings.cluster(), ancestor);
            listener.historyArchived(settings.cluster(), stored);
        }
        return history;
    }

    private TimelineHistory archiveHistory(ReplicationConnection connection, TimelineId timeline) {
        if (timeline.value() == 1) {
            return TimelineHistory.initial();
        }
        TimelineHistory history = connection.timelineHistory(timeline).parse();
        StoredHistory stored = repository.putHistory(settings.cluster(), history);
        listener.historyArchived(settings.cluster(), stored);
        return history;
    }

    private static String describe(StartPoint.Origin origin) {
        return switch (origin) {
            case SPOOL -> "resuming the segment a restart interrupted";
            case REPOSITORY -> "right after the newest archived segment";
            case SLOT -> "the slot's restart position";
            case SERVER -> "the server's current position: nothing archived yet, recoverability starts with the "
                    + "first base backup";
        };
    }

    @Override
    public String toString() {
        return "WAL stream of cluster " + settings.cluster();
    }
}
