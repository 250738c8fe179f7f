package dev.cellar.catalog;

import static dev.cellar.catalog.CatalogFixtures.SEGMENT_SIZE;
import static dev.cellar.catalog.CatalogFixtures.lsn;
import static dev.cellar.catalog.CatalogFixtures.partialWal;
import static dev.cellar.catalog.CatalogFixtures.wal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.catalog.WalCoveragePlanner.Stretch;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** 16 MiB segments: segment n covers n*0x1000000 up to (n+1)*0x1000000, e.g. 0/5000000..0/6000000. */
class WalCoveragePlannerTest {
    private static final TimelineId TLI_1 = TimelineId.of(1);
    private static final TimelineId TLI_2 = TimelineId.of(2);
    private static final TimelineId TLI_3 = TimelineId.of(3);
    private static final TimelineHistory ON_1 = TimelineHistory.initial();
    /** Timeline 2 branched off 1 in the middle of segment 5. */
    private static final TimelineHistory ON_2 = ON_1.branch(TLI_2, lsn("0/5800000"), "no recovery target specified");

    private static WalCoverage plan(TimelineHistory path, String from, String to, WalSegmentRow... available) {
        return WalCoveragePlanner.plan(path, SEGMENT_SIZE, lsn(from), lsn(to), List.of(available));
    }

    private static List<String> files(WalCoverage coverage) {
        return coverage.segments().stream().map(WalSegmentRow::fileName).toList();
    }

    private static LsnRange gap(TimelineId timeline, String from, String to) {
        return new LsnRange(timeline, lsn(from), lsn(to));
    }

    @Nested
    class OneTimeline {
        @Test
        void allSegmentsPresentIsComplete() {
            WalCoverage coverage = plan(ON_1, "0/2000028", "0/4800000", wal(1, 2), wal(1, 3), wal(1, 4));

            assertThat(files(coverage)).containsExactly("000000010000000000000002", "000000010000000000000003",
                    "000000010000000000000004");
            assertThat(coverage.gaps()).isEmpty();
            assertThat(coverage.isComplete()).isTrue();
        }

        @Test
        void targetExactlyAtASegmentBoundaryDoesNotNeedTheNextSegment() {
            WalCoverage coverage = plan(ON_1, "0/2000028", "0/5000000", wal(1, 2), wal(1, 3), wal(1, 4), wal(1, 5));

            assertThat(files(coverage)).containsExactly("000000010000000000000002", "000000010000000000000003",
                    "000000010000000000000004");
            assertThat(coverage.isComplete()).isTrue();
        }

        @Test
        void targetOneByteAfterABoundaryNeedsTheNextSegment() {
            WalCoverage coverage = plan(ON_1, "0/4000000", "0/5000001", wal(1, 4));

            assertThat(files(coverage)).containsExactly("000000010000000000000004");
            assertThat(coverage.gaps()).containsExactly(gap(TLI_1, "0/5000000", "0/5000001"));
        }

        @Test
        void emptyRangeNeedsNothing() {
            WalCoverage coverage = plan(ON_1, "0/5000000", "0/5000000");

            assertThat(coverage.segments()).isEmpty();
            assertThat(coverage.isComplete()).isTrue();
        }

        @Test
        void missingSegmentInTheMiddleIsOneGapOfThatSegment() {
            WalCoverage coverage = plan(ON_1, "0/2000028", "0/4800000", wal(1, 2), wal(1, 4));

            assertThat(files(coverage)).containsExactly("000000010000000000000002", "000000010000000000000004");
            assertThat(coverage.gaps()).containsExactly(gap(TLI_1, "0/3000000", "0/4000000"));
            assertThat(coverage.isComplete()).isFalse();
        }

        @Test
        void adjacentMissingSegmentsMergeIntoOneGap() {
            WalCoverage coverage = plan(ON_1, "0/2000028", "0/6000000", wal(1, 2), wal(1, 5));

            assertThat(coverage.gaps()).containsExactly(gap(TLI_1, "0/3000000", "0/5000000"));
        }

        @Test
        void gapsAreCutToTheNeededRange() {
            WalCoverage coverage = plan(ON_1, "0/2000028", "0/4000100");

            assertThat(coverage.gaps()).containsExactly(gap(TLI_1, "0/2000028", "0/4000100"));
        }

        @Test
        void completeFileIsPreferredToAPartialOneOfTheSameSegment() {
            WalCoverage coverage = plan(ON_1, "0/5000000", "0/5F00000",
                    partialWal(1, 5, lsn("0/5800000")), wal(1, 5));

            assertThat(files(coverage)).containsExactly("000000010000000000000005");
            assertThat(coverage.isComplete()).isTrue();
        }

        @Test
        void partialFileCountsOnlyUpToItsEnd() {
            WalCoverage coverage = plan(ON_1, "0/4000000", "0/5A00000", wal(1, 4), partialWal(1, 5, lsn("0/5800000")));

            assertThat(files(coverage)).containsExactly("000000010000000000000004", "000000010000000000000005.partial");
            assertThat(coverage.gaps()).containsExactly(gap(TLI_1, "0/5800000", "0/5A00000"));
        }

        @Test
        void partialFileEndingBeforeTheNeededPartIsNotUsed() {
            WalCoverage coverage = plan(ON_1, "0/5900000", "0/5A00000", partialWal(1, 5, lsn("0/5800000")));

            assertThat(coverage.segments()).isEmpty();
            assertThat(coverage.gaps()).containsExactly(gap(TLI_1, "0/5900000", "0/5A00000"));
        }

        @Test
        void rangeEndingBeforeTheEndOfAPartialFileIsComplete() {
            WalCoverage coverage = plan(ON_1, "0/4000000", "0/5800000", wal(1, 4), partialWal(1, 5, lsn("0/5800000")));

            assertThat(files(coverage)).containsExactly("000000010000000000000004", "000000010000000000000005.partial");
            assertThat(coverage.isComplete()).isTrue();
        }
    }

    @Nested
    class TimelineSwitch {
        @Test
        void segmentHoldingTheSwitchPointIsReadFromTheChildTimeline() {
            WalCoverage coverage = plan(ON_2, "0/3000000", "0/6800000",
                    wal(1, 3), wal(1, 4), partialWal(1, 5, lsn("0/5800000")), wal(2, 5), wal(2, 6));

            assertThat(files(coverage)).containsExactly("000000010000000000000003", "000000010000000000000004",
                    "000000020000000000000005", "000000020000000000000006");
            assertThat(coverage.isComplete()).isTrue();
        }

        @Test
        void targetBeforeTheSwitchInTheSwitchSegmentStillReadsTheChildFile() {
            WalCoverage coverage = plan(ON_2, "0/4000000", "0/5400000", wal(1, 4), wal(2, 5));

            assertThat(files(coverage)).containsExactly("000000010000000000000004", "000000020000000000000005");
        }

        @Test
        void missingChildFileAtTheSwitchIsAGapOnTheChildEvenWithTheParentsPartial() {
            WalCoverage coverage = plan(ON_2, "0/4000000", "0/6800000",
                    wal(1, 4), partialWal(1, 5, lsn("0/5800000")), wal(2, 6));

            assertThat(files(coverage)).containsExactly("000000010000000000000004", "000000020000000000000006");
            assertThat(coverage.gaps()).containsExactly(gap(TLI_2, "0/5000000", "0/6000000"));
        }

        @Test
        void onTheParentsOwnPathItsPartialSegmentServesUpToTheSwitch() {
            WalCoverage coverage = plan(ON_1, "0/4000000", "0/5800000",
                    wal(1, 4), partialWal(1, 5, lsn("0/5800000")), wal(2, 5), wal(2, 6));

            assertThat(files(coverage)).containsExactly("000000010000000000000004", "000000010000000000000005.partial");
            assertThat(coverage.isComplete()).isTrue();
        }

        @Test
        void switchExactlyAtASegmentBoundaryReadsEarlierSegmentsFromTheParent() {
            TimelineHistory path = ON_1.branch(TLI_2, lsn("0/6000000"), "");

            WalCoverage coverage = plan(path, "0/5000000", "0/7000000", wal(1, 5), wal(2, 6), wal(2, 5));

            assertThat(files(coverage)).containsExactly("000000010000000000000005", "000000020000000000000006");
        }

        @Test
        void filesOfTimelinesOffThePathAreIgnored() {
            // Timeline 3 branched off 1 elsewhere: its files must not fill timeline 2's gaps.
            WalCoverage coverage = plan(ON_2, "0/6000000", "0/8000000", wal(2, 6), wal(3, 7));

            assertThat(files(coverage)).containsExactly("000000020000000000000006");
            assertThat(coverage.gaps()).containsExactly(gap(TLI_2, "0/7000000", "0/8000000"));
        }

        @Test
        void gapsOnDifferentTimelinesStaySeparateEvenWhenAdjacent() {
            WalCoverage coverage = plan(ON_2, "0/4000000", "0/6000000");

            assertThat(coverage.gaps()).containsExactly(gap(TLI_1, "0/4000000", "0/5000000"),
                    gap(TLI_2, "0/5000000", "0/6000000"));
        }

        @Test
        void twoSwitchesInOneSegmentReadThatSegmentFromTheNewest() {
            TimelineHistory path = ON_1.branch(TLI_2, lsn("0/5200000"), "").branch(TLI_3, lsn("0/5800000"), "");

            WalCoverage coverage = plan(path, "0/4000000", "0/6800000", wal(1, 4), wal(2, 5), wal(3, 5), wal(3, 6));

            assertThat(files(coverage)).containsExactly("000000010000000000000004", "000000030000000000000005",
                    "000000030000000000000006");
        }
    }

    @Nested
    class Stretches {
        @Test
        void eachTimelineServesFromItsBeginSegmentToBeforeTheNextOnesBeginSegment() {
            TimelineHistory path = ON_2.branch(TLI_3, lsn("0/9000000"), "");

            assertThat(WalCoveragePlanner.stretches(path, SEGMENT_SIZE, lsn("0/1000000"), lsn("0/A000001")))
                    .containsExactly(new Stretch(TLI_1, 1, 4), new Stretch(TLI_2, 5, 8), new Stretch(TLI_3, 9, 10));
        }

        @Test
        void rangeOnTheOldestTimelineOnlyHasOneStretch() {
            assertThat(WalCoveragePlanner.stretches(ON_2, SEGMENT_SIZE, lsn("0/1000000"), lsn("0/3000000")))
                    .containsExactly(new Stretch(TLI_1, 1, 2));
        }

        @Test
        void timelineThatBeganAndEndedInOneSegmentServesNone() {
            TimelineHistory path = ON_1.branch(TLI_2, lsn("0/5200000"), "").branch(TLI_3, lsn("0/5800000"), "");

            assertThat(WalCoveragePlanner.stretches(path, SEGMENT_SIZE, lsn("0/4000000"), lsn("0/6000000")))
                    .containsExactly(new Stretch(TLI_1, 4, 4), new Stretch(TLI_3, 5, 5));
        }

        @Test
        void otherSegmentSizesSplitTheRangeByTheirOwnBoundaries() {
            WalSegmentSize oneMiB = WalSegmentSize.of(1 << 20);

            assertThat(WalCoveragePlanner.stretches(ON_2, oneMiB, lsn("0/5700000"), lsn("0/5900000")))
                    .containsExactly(new Stretch(TLI_1, 0x57, 0x57), new Stretch(TLI_2, 0x58, 0x58));
        }
    }

    @Test
    void endBeforeStartIsRefused() {
        assertThatThrownBy(() -> plan(ON_1, "0/5000000", "0/4000000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("WAL range end 0/4000000 is before its start 0/5000000");
    }

    @Test
    void fileOfAnotherSegmentSizeIsRefused() {
        WalSegmentName small = new WalSegmentName(TLI_1, 0x40, WalSegmentSize.of(1 << 20));
        WalSegmentRow row = new WalSegmentRow("c1", small, false, small.endLsn(), 1 << 20, CatalogFixtures.sha("x"),
                1, CatalogFixtures.sha("y"), "zstd", "k", true, false, CatalogFixtures.T0);

        assertThatThrownBy(() -> WalCoveragePlanner.plan(ON_1, SEGMENT_SIZE, Lsn.ZERO, lsn("0/5000000"), List.of(row)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("WAL file 000000010000000000000040 of cluster c1 has 1MB segments, not 16MB");
    }
}
