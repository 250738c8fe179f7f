package dev.cellar.walreceiver.backup;

import dev.cellar.core.CellarException;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalActivity;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.core.WalSegmentValidator;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredWal;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.SystemIdentification;
import dev.cellar.walreceiver.protocol.BackendMessage;
import dev.cellar.walreceiver.protocol.WalStreamMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides whether a scheduled backup can be skipped because nothing changed since the previous
 * backup's end: it reads the WAL written since then, record by record, and looks for anything but
 * housekeeping ({@link WalActivity}). Complete segments come from the repository; the segment
 * still being written is read from the server with a slot-less START_REPLICATION (the cluster's
 * slot holds it, as Cellar has not confirmed past it).
 *
 * <p>When the WAL cannot be read (removed from the server, a gap, an error), the answer is
 * "changed": a needless backup is cheap, a wrongly skipped one is not.
 */
public final class BackupChangeDetector {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Repository repository;
    private final String cluster;
    private final long systemIdentifier;
    private final WalSegmentSize segmentSize;

    public BackupChangeDetector(Repository repository, String cluster, long systemIdentifier, WalSegmentSize segmentSize) {
        this.repository = repository;
        this.cluster = cluster;
        this.systemIdentifier = systemIdentifier;
        this.segmentSize = segmentSize;
    }

    /** Stops the record walk at the first change. */
    private static final class ChangeFound extends RuntimeException {
        final Lsn at;
        final int rmid;
        final int info;

        ChangeFound(Lsn at, int rmid, int info) {
            super(null, null, false, false);
            this.at = at;
            this.rmid = rmid;
            this.info = info;
        }
    }

    /**
     * @param previousEnd      the previous backup's end LSN
     * @param previousTimeline its timeline
     * @param connections      opens a replication connection to a server of the cluster; used
     *                         for the position now, and for WAL not yet in the repository
     */
    public ChangeCheck check(Lsn previousEnd, TimelineId previousTimeline, Supplier<ReplicationConnection> connections) {
        try (ReplicationConnection connection = connections.get()) {
            SystemIdentification now = connection.identifySystem();
            if (!now.timeline().equals(previousTimeline)) {
                return ChangeCheck.changed("the server is on timeline " + now.timeline() + ", the previous backup ended on "
                        + previousTimeline);
            }
            Lsn target = now.xlogPosition();
            if (!target.isAfter(previousEnd)) {
                return ChangeCheck.unchanged("no WAL since the previous backup ended at " + previousEnd);
            }
            int[] records = {0};
            ServerWal server = new ServerWal(connection);
            WalSegmentName segment = WalSegmentName.containing(previousTimeline, previousEnd, segmentSize);
            try {
                while (segment.startLsn().isBefore(target)) {
                    byte[] bytes = segmentBytes(segment, target, server);
                    boolean partial = bytes.length < segmentSize.bytes();
                    WalSegmentValidator validator = WalSegmentValidator.forSegment(segment, systemIdentifier)
                            .withRecordVisitor((start, rmid, info) -> {
                                if (!start.isBefore(previousEnd) && start.isBefore(target)) {
                                    records[0]++;
                                    if (WalActivity.changesData(rmid, info)) {
                                        throw new ChangeFound(start, rmid, info);
                                    }
                                }
                            });
                    (partial ? validator.allowingPartial() : validator).validate(bytes);
                    segment = segment.next();
                }
            } catch (ChangeFound found) {
                return ChangeCheck.changed("WAL record at " + found.at + " (resource manager " + found.rmid + ", info 0x"
                        + Integer.toHexString(found.info) + ") changes data");
            } catch (CellarException e) {
                return ChangeCheck.changed("could not read the WAL since the previous backup (" + e.getMessage() + ")");
            }
            return ChangeCheck.unchanged("only housekeeping WAL (" + records[0] + " records: checkpoints, switches,"
                    + " snapshots) from " + previousEnd + " to " + target);
        }
    }

    private byte[] segmentBytes(WalSegmentName segment, Lsn target, ServerWal server) {
        Optional<StoredWal> stored = server.streaming ? Optional.empty() : repository.findWal(cluster, segment, false);
        if (stored.isPresent()) {
            try (InputStream in = repository.openWal(stored.get())) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new CellarException(dev.cellar.core.ErrorCode.STORAGE_FAILED, "reading " + stored.get().key()
                        + " failed: " + e.getMessage(), null, e);
            }
        }
        Lsn until = target.isBefore(segment.endLsn()) ? target : segment.endLsn();
        return server.read(segment, until);
    }

    /**
     * WAL read from the server without a slot, from the first segment the repository lacks on: one
     * START_REPLICATION, read segment by segment.
     */
    private static final class ServerWal {
        private final ReplicationConnection connection;
        private boolean streaming;
        /** Bytes received beyond the segment last returned (a message may span two segments). */
        private byte[] carry = new byte[0];
        private Lsn carryStart;

        ServerWal(ReplicationConnection connection) {
            this.connection = connection;
        }

        /** The bytes of {@code segment} from its start to {@code until}. */
        byte[] read(WalSegmentName segment, Lsn until) {
            if (!streaming) {
                connection.sendQuery("START_REPLICATION PHYSICAL " + segment.startLsn() + " TIMELINE "
                        + segment.timeline().value());
                connection.setReadTimeout(READ_TIMEOUT);
                streaming = true;
                carryStart = segment.startLsn();
            }
            return streamFromServer(connection, segment, until, this);
        }
    }

    private static byte[] streamFromServer(ReplicationConnection connection, WalSegmentName segment, Lsn until,
            ServerWal state) {
        byte[] bytes = new byte[(int) until.minus(segment.startLsn())];
        long filled = 0;
        if (state.carry.length > 0) {
            if (!state.carryStart.equals(segment.startLsn())) {
                throw new IllegalStateException("segments must be read in order");
            }
            int n = Math.min(state.carry.length, bytes.length);
            System.arraycopy(state.carry, 0, bytes, 0, n);
            filled = n;
            state.carry = java.util.Arrays.copyOfRange(state.carry, n, state.carry.length);
            state.carryStart = segment.startLsn().plus(n);
        }
        while (filled < bytes.length) {
            BackendMessage message;
            try {
                message = connection.readMessage();
            } catch (SocketTimeoutException e) {
                throw new CellarException(dev.cellar.core.ErrorCode.CONNECTION_FAILED, connection.endpoint()
                        + " sent no WAL of " + segment + " within " + READ_TIMEOUT.toSeconds() + " s", null, e);
            }
            switch (message) {
                case BackendMessage.CopyData data -> {
                    if (WalStreamMessage.parse(data.payload()) instanceof WalStreamMessage.XLogData xlog) {
                        long offset = xlog.dataStart().minus(segment.startLsn());
                        int n = (int) Math.min(xlog.data().remaining(), bytes.length - offset);
                        if (offset < 0 || offset != filled) {
                            throw new CellarException(dev.cellar.core.ErrorCode.PROTOCOL_ERROR, connection.endpoint()
                                    + " sent WAL at " + xlog.dataStart() + " where " + segment.startLsn().plus(filled)
                                    + " was expected");
                        }
                        xlog.data().get(bytes, (int) offset, n);
                        filled += n;
                        if (xlog.data().hasRemaining()) {
                            state.carry = new byte[xlog.data().remaining()];
                            xlog.data().get(state.carry);
                            state.carryStart = segment.startLsn().plus(filled);
                        }
                    }
                }
                case BackendMessage.ErrorResponse error -> throw new CellarException(
                        dev.cellar.core.ErrorCode.WAL_GAP, connection.endpoint() + " refused to send " + segment + ": "
                        + error.diagnostic());
                case BackendMessage.CopyDone done -> throw new CellarException(dev.cellar.core.ErrorCode.WAL_GAP,
                        connection.endpoint() + " ended timeline " + segment.timeline() + " before " + until);
                default -> {
                    // CopyBothResponse, keepalives, notices.
                }
            }
        }
        if (state.carry.length == 0) {
            state.carryStart = segment.startLsn().plus(filled);
        }
        // The connection is dedicated to this check and is closed by the caller; no need to end the copy.
        return bytes;
    }
}
