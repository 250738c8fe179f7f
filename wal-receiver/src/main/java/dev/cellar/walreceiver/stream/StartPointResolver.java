package dev.cellar.walreceiver.stream;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.util.Optional;

/**
 * Decides where streaming starts (pure): the spool's interrupted segment, else right after the
 * newest archived segment, else the slot's restart position, else the server's current position —
 * each rounded down to its segment start, as pg_receivewal does, because a stream must begin at a
 * segment's first byte. The timeline is then chosen as recovery chooses it: the newest timeline on
 * the server's history whose start lies in or before that segment, since the segment holding a
 * switch point is served from the child timeline (its first part copied from the parent).
 */
public final class StartPointResolver {
    private StartPointResolver() {
    }

    /**
     * @param spoolResume   the segment a crash interrupted, if any
     * @param lastArchived  the newest segment in the repository and whether it is a timeline's
     *                      partial last segment
     * @param slotRestart   the slot's restart LSN, if the slot exists and has one
     * @param serverPosition IDENTIFY_SYSTEM's xlogpos
     * @param serverHistory the history of the server's current timeline
     */
    public static StartPoint resolve(Optional<WalSegmentName> spoolResume, Optional<Archived> lastArchived,
                                     Optional<Lsn> slotRestart, Lsn serverPosition, TimelineHistory serverHistory,
                                     WalSegmentSize size) {
        Lsn lsn;
        Lsn held = null;
        StartPoint.Origin origin;
        if (spoolResume.isPresent() || lastArchived.isPresent()) {
            WalSegmentName last;
            if (spoolResume.isPresent()) {
                last = spoolResume.get();
                lsn = last.startLsn();
                origin = StartPoint.Origin.SPOOL;
            } else {
                last = lastArchived.get().segment();
                // The newest archived segment is streamed again: the repository keeps the first copy
                // when the bytes are the same, and refuses loudly when they differ — which is how a
                // server that went back in time on the same timeline (a restored VM snapshot) is
                // caught before its diverging WAL is appended. Past a recorded gap there is nothing
                // to compare with.
                lsn = lastArchived.get().afterGap() ? last.endLsn() : last.startLsn();
                held = lastArchived.get().partial() ? last.startLsn() : last.endLsn();
                origin = StartPoint.Origin.REPOSITORY;
            }
            Lsn adjusted = notPastTheSwitch(lsn, last.timeline(), serverHistory, size);
            if (!adjusted.equals(lsn)) {
                // What we hold is on a timeline the server left earlier: nothing past the switch is held.
                held = adjusted;
            }
            lsn = adjusted;
        } else if (slotRestart.isPresent()) {
            lsn = slotRestart.get().segmentStart(size);
            origin = StartPoint.Origin.SLOT;
        } else {
            lsn = serverPosition.segmentStart(size);
            origin = StartPoint.Origin.SERVER;
        }
        Lsn heldUpTo = held == null || held.isBefore(lsn) ? lsn : held;
        return new StartPoint(lsn, timelineServing(serverHistory, lsn, size), origin, heldUpTo);
    }

    /**
     * After a failover the old timeline may have been archived past the point where the new one
     * branched off (WAL the old primary wrote that the promoted standby never received). The new
     * timeline's copy of the segment holding the switch point is then still missing: go back to
     * that segment's start.
     */
    private static Lsn notPastTheSwitch(Lsn lsn, TimelineId archivedTimeline, TimelineHistory serverHistory,
                                        WalSegmentSize size) {
        if (archivedTimeline.equals(serverHistory.timeline())) {
            return lsn;
        }
        if (!serverHistory.contains(archivedTimeline)) {
            throw new CellarException(ErrorCode.WAL_INVALID, "the repository holds WAL of timeline "
                    + archivedTimeline + ", which is not in the history of the server's timeline "
                    + serverHistory.timeline() + ": the server is not a descendant of the cluster archived so far",
                    "Check the conninfo: it may reach a server restored from an old backup, or a split-brain primary.");
        }
        Lsn switchSegment = serverHistory.switchPointOf(archivedTimeline).orElseThrow().segmentStart(size);
        return switchSegment.isBefore(lsn) ? switchSegment : lsn;
    }

    /** The timeline from which the server serves the segment starting at {@code segmentStart}. */
    public static TimelineId timelineServing(TimelineHistory history, Lsn segmentStart, WalSegmentSize size) {
        TimelineId chosen = history.path().getFirst().timeline();
        for (TimelineHistory.Span span : history.path()) {
            if (!span.begin().segmentStart(size).isAfter(segmentStart)) {
                chosen = span.timeline();
            }
        }
        return chosen;
    }

    /**
     * The newest archived segment ({@code afterGap}: the segment ending where a recorded gap ends,
     * standing for "everything before is dealt with").
     */
    public record Archived(WalSegmentName segment, boolean partial, boolean afterGap) {
        public Archived(WalSegmentName segment, boolean partial) {
            this(segment, partial, false);
        }

        public TimelineId timeline() {
            return segment.timeline();
        }
    }
}
