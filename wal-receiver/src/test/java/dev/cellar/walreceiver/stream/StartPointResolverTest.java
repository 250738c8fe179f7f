package dev.cellar.walreceiver.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StartPointResolverTest {
    static final WalSegmentSize MB16 = WalSegmentSize.DEFAULT;
    static final TimelineId TL1 = TimelineId.of(1);
    static final TimelineId TL2 = TimelineId.of(2);
    static final TimelineId TL3 = TimelineId.of(3);
    /** Timeline 2 begins inside segment 5 (0/5000000..0/6000000), timeline 3 at the start of segment 9. */
    static final TimelineHistory THREE = TimelineHistory.initial()
            .branch(TL2, Lsn.parse("0/50000A0"), "promoted")
            .branch(TL3, Lsn.parse("0/9000000"), "promoted");

    static WalSegmentName seg(TimelineId tli, long n) {
        return new WalSegmentName(tli, n, MB16);
    }

    @Test
    void theSpoolsInterruptedSegmentComesFirst() {
        StartPoint start = StartPointResolver.resolve(Optional.of(seg(TL2, 7)),
                Optional.of(new StartPointResolver.Archived(seg(TL2, 6), false)), Optional.of(Lsn.parse("0/1000000")),
                Lsn.parse("0/A000000"), THREE, MB16);
        assertThat(start).isEqualTo(new StartPoint(Lsn.parse("0/7000000"), TL2, StartPoint.Origin.SPOOL));
    }

    @Test
    void thenTheNewestArchivedSegmentAgainSoThatADivergingServerIsCaught() {
        StartPoint start = StartPointResolver.resolve(Optional.empty(),
                Optional.of(new StartPointResolver.Archived(seg(TL3, 9), false)), Optional.empty(),
                Lsn.parse("0/C000000"), THREE, MB16);
        assertThat(start).isEqualTo(new StartPoint(Lsn.parse("0/9000000"), TL3, StartPoint.Origin.REPOSITORY,
                Lsn.parse("0/A000000")));
    }

    @Test
    void rightAfterARecordedGap() {
        StartPoint start = StartPointResolver.resolve(Optional.empty(),
                Optional.of(new StartPointResolver.Archived(seg(TL3, 9), false, true)), Optional.empty(),
                Lsn.parse("0/C000000"), THREE, MB16);
        assertThat(start).isEqualTo(new StartPoint(Lsn.parse("0/A000000"), TL3, StartPoint.Origin.REPOSITORY));
    }

    @Test
    void aTimelinesPartialLastSegmentIsStreamedAgainFromTheChildTimeline() {
        StartPoint start = StartPointResolver.resolve(Optional.empty(),
                Optional.of(new StartPointResolver.Archived(seg(TL1, 5), true)), Optional.empty(),
                Lsn.parse("0/C000000"), THREE, MB16);
        assertThat(start).isEqualTo(new StartPoint(Lsn.parse("0/5000000"), TL2, StartPoint.Origin.REPOSITORY));
    }

    @Test
    void anOldTimelineArchivedPastItsSwitchPointIsStreamedAgainFromTheSwitchSegmentOnTheNewTimeline() {
        // Timeline 1 was archived through segment 6, but timeline 2 branched off inside segment 5.
        StartPoint fromRepository = StartPointResolver.resolve(Optional.empty(),
                Optional.of(new StartPointResolver.Archived(seg(TL1, 6), false)), Optional.empty(),
                Lsn.parse("0/C000000"), THREE, MB16);
        assertThat(fromRepository).isEqualTo(new StartPoint(Lsn.parse("0/5000000"), TL2, StartPoint.Origin.REPOSITORY));
        StartPoint fromSpool = StartPointResolver.resolve(Optional.of(seg(TL1, 7)), Optional.empty(), Optional.empty(),
                Lsn.parse("0/C000000"), THREE, MB16);
        assertThat(fromSpool).isEqualTo(new StartPoint(Lsn.parse("0/5000000"), TL2, StartPoint.Origin.SPOOL));
    }

    @Test
    void aServerWhoseHistoryLacksTheArchivedTimelineIsRefused() {
        TimelineHistory other = TimelineHistory.initial().branch(TimelineId.of(4), Lsn.parse("0/3000000"), "x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StartPointResolver.resolve(Optional.empty(),
                        Optional.of(new StartPointResolver.Archived(seg(TL2, 6), false)), Optional.empty(),
                        Lsn.parse("0/C000000"), other, MB16))
                .isInstanceOf(dev.cellar.core.CellarException.class)
                .hasMessageContaining("timeline 2, which is not in the history of the server's timeline 4");
    }

    @Test
    void thenTheSlotAndLastTheServerPositionRoundedDownToTheirSegment() {
        assertThat(StartPointResolver.resolve(Optional.empty(), Optional.empty(), Optional.of(Lsn.parse("0/4123456")),
                Lsn.parse("0/C000000"), THREE, MB16))
                .isEqualTo(new StartPoint(Lsn.parse("0/4000000"), TL1, StartPoint.Origin.SLOT));
        assertThat(StartPointResolver.resolve(Optional.empty(), Optional.empty(), Optional.empty(),
                Lsn.parse("0/C1234A8"), THREE, MB16))
                .isEqualTo(new StartPoint(Lsn.parse("0/C000000"), TL3, StartPoint.Origin.SERVER));
    }

    @Test
    void aSegmentIsServedFromTheNewestTimelineThatBeginsInOrBeforeIt() {
        assertThat(StartPointResolver.timelineServing(THREE, Lsn.parse("0/4000000"), MB16)).isEqualTo(TL1);
        assertThat(StartPointResolver.timelineServing(THREE, Lsn.parse("0/5000000"), MB16)).isEqualTo(TL2);
        assertThat(StartPointResolver.timelineServing(THREE, Lsn.parse("0/8000000"), MB16)).isEqualTo(TL2);
        assertThat(StartPointResolver.timelineServing(THREE, Lsn.parse("0/9000000"), MB16)).isEqualTo(TL3);
        assertThat(StartPointResolver.timelineServing(TimelineHistory.initial(), Lsn.parse("5/0"), MB16)).isEqualTo(TL1);
    }
}
