package dev.cellar.catalog;

import static dev.cellar.catalog.CatalogFixtures.CLUSTER;
import static dev.cellar.catalog.CatalogFixtures.T0;
import static dev.cellar.catalog.CatalogFixtures.lsn;
import static dev.cellar.catalog.CatalogFixtures.partialWal;
import static dev.cellar.catalog.CatalogFixtures.registerCluster;
import static dev.cellar.catalog.CatalogFixtures.segment;
import static dev.cellar.catalog.CatalogFixtures.sha;
import static dev.cellar.catalog.CatalogFixtures.wal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WalQueriesTest extends CatalogTestBase {
    private static final TimelineId TLI_1 = TimelineId.of(1);
    private static final TimelineId TLI_2 = TimelineId.of(2);

    @BeforeEach
    void cluster() {
        registerCluster(catalog);
    }

    @Test
    void recordedSegmentReadsBackEqual() {
        WalSegmentRow row = wal(1, 3);

        assertThat(catalog.wal().record(row)).isEqualTo(WriteOutcome.INSERTED);

        assertThat(catalog.wal().find(CLUSTER, row.segment(), false)).contains(row);
        assertThat(catalog.wal().find(CLUSTER, row.segment(), true)).isEmpty();
    }

    @Test
    void sameSegmentWithTheSameChecksumIsANoOp() {
        WalSegmentRow row = wal(1, 3);
        catalog.wal().record(row);
        WalSegmentRow again = new WalSegmentRow(row.cluster(), row.segment(), false, row.end(), row.size(), row.sha256(),
                row.storedSize(), row.storedSha256(), row.codec(), row.objectKey(), false, true, T0.plusSeconds(60));

        assertThat(catalog.wal().record(again)).isEqualTo(WriteOutcome.UNCHANGED);
        assertThat(catalog.wal().find(CLUSTER, row.segment(), false)).contains(row);
    }

    @Test
    void sameSegmentWithAnotherChecksumIsRefusedNamingBothChecksums() {
        WalSegmentRow row = wal(1, 3);
        catalog.wal().record(row);
        WalSegmentRow other = wal(CLUSTER, 1, 3, "diverged");

        assertThatThrownBy(() -> catalog.wal().record(other))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CATALOG_FAILED);
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).startsWith("WAL is never overwritten"));
                })
                .hasMessage("catalog %s: WAL file 000000010000000000000003 of cluster \"c1\" is already catalogued "
                        + "with SHA-256 %s, but the new copy has SHA-256 %s", catalog.file(), row.sha256(),
                        other.sha256());
        assertThat(catalog.wal().find(CLUSTER, row.segment(), false)).contains(row);
    }

    @Test
    void sameChecksumWithOtherStorageFactsIsRefusedNamingThem() {
        WalSegmentRow row = wal(1, 3);
        catalog.wal().record(row);
        WalSegmentRow recompressed = new WalSegmentRow(row.cluster(), row.segment(), false, row.end(), row.size(),
                row.sha256(), 999, sha("other stored"), "zstd", row.objectKey(), true, false, T0);

        assertThatThrownBy(() -> catalog.wal().record(recompressed))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: WAL file 000000010000000000000003 of cluster \"c1\" is already catalogued "
                        + "with SHA-256 %s and stored size 1003, not 999, stored SHA-256 %s, not %s", catalog.file(),
                        row.sha256(), row.storedSha256(), sha("other stored"));
    }

    @Test
    void manyFilesAreRecordedInOneTransaction() {
        catalog.wal().record(wal(1, 2));

        List<WriteOutcome> outcomes = catalog.wal().recordAll(List.of(wal(1, 2), wal(1, 3), wal(1, 4)));

        assertThat(outcomes).containsExactly(WriteOutcome.UNCHANGED, WriteOutcome.INSERTED, WriteOutcome.INSERTED);
        assertThat(catalog.wal().timelineExtents(CLUSTER)).extracting(TimelineWalExtent::segments).containsExactly(3L);
    }

    @Test
    void oneConflictingFileRecordsNoneOfTheBatch() {
        catalog.wal().record(wal(1, 3));

        assertThatThrownBy(() -> catalog.wal().recordAll(List.of(wal(1, 2), wal(CLUSTER, 1, 3, "diverged"))))
                .isInstanceOf(CellarException.class)
                .hasMessageContaining("WAL file 000000010000000000000003 of cluster \"c1\" is already catalogued");
        assertThat(catalog.wal().find(CLUSTER, segment(1, 2), false)).isEmpty();
    }

    @Test
    void partialAndCompleteFilesOfOneSegmentAreSeparateRows() {
        WalSegmentRow partial = partialWal(1, 5, lsn("0/5800000"));
        WalSegmentRow complete = wal(1, 5);

        catalog.wal().record(partial);
        catalog.wal().record(complete);

        assertThat(catalog.wal().find(CLUSTER, segment(1, 5), true)).contains(partial);
        assertThat(catalog.wal().find(CLUSTER, segment(1, 5), false)).contains(complete);
        catalog.wal().recordAll(List.of(wal(2, 3), wal(1, 7)));
        assertThat(catalog.wal().list(CLUSTER)).containsExactly(complete, partial, wal(1, 7), wal(2, 3));
    }

    @Test
    void segmentOfAnotherSizeThanTheClustersIsRefused() {
        WalSegmentName small = new WalSegmentName(TLI_1, 3, WalSegmentSize.of(1 << 20));
        WalSegmentRow row = new WalSegmentRow(CLUSTER, small, false, small.endLsn(), 1 << 20, sha("a"), 1, sha("b"),
                "zstd", "k", true, false, T0);

        assertThatThrownBy(() -> catalog.wal().record(row))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: WAL file 000000010000000000000003 of cluster \"c1\" is a 1MB segment, but "
                        + "the cluster's segments are 16MB", catalog.file());
    }

    @Test
    void segmentOfAnUnknownClusterIsRefused() {
        assertThatThrownBy(() -> catalog.wal().record(wal("c9", 1, 3, "x")))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: no cluster named \"c9\"", catalog.file());
    }

    @Test
    void locationsChangeOnlyThroughSetLocations() {
        WalSegmentRow row = wal(1, 3);
        catalog.wal().record(row);

        assertThat(catalog.wal().setLocations(CLUSTER, row.segment(), false, true, true)).isEqualTo(WriteOutcome.UPDATED);
        assertThat(catalog.wal().setLocations(CLUSTER, row.segment(), false, true, true))
                .isEqualTo(WriteOutcome.UNCHANGED);

        WalSegmentRow stored = catalog.wal().find(CLUSTER, row.segment(), false).orElseThrow();
        assertThat(stored.local()).isTrue();
        assertThat(stored.offsite()).isTrue();
        assertThatThrownBy(() -> catalog.wal().setLocations(CLUSTER, segment(1, 4), false, false, true))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: WAL file 000000010000000000000004 of cluster \"c1\" is not catalogued",
                        catalog.file());
    }

    @Test
    void extentsGiveFirstAndLastSegmentPerTimeline() {
        catalog.wal().record(wal(1, 2));
        catalog.wal().record(wal(1, 4));
        catalog.wal().record(partialWal(1, 5, lsn("0/5800000")));
        catalog.wal().record(wal(2, 5));
        catalog.wal().record(wal(2, 6));
        catalog.wal().record(partialWal(2, 6, lsn("0/6000100")));

        assertThat(catalog.wal().timelineExtents(CLUSTER)).containsExactly(
                new TimelineWalExtent(segment(1, 2), segment(1, 5), lsn("0/5800000"), 3),
                new TimelineWalExtent(segment(2, 5), segment(2, 6), lsn("0/7000000"), 2));
    }

    @Test
    void coverageAcrossASwitchUsesTheChildFileAndReportsTheGapInTheMiddle() {
        TimelineHistory path = TimelineHistory.initial().branch(TLI_2, lsn("0/5800000"), "");
        catalog.timelines().record(CLUSTER, path, sha("2.history"));
        catalog.wal().record(wal(1, 2));
        catalog.wal().record(wal(1, 4));
        catalog.wal().record(partialWal(1, 5, lsn("0/5800000")));
        catalog.wal().record(wal(2, 5));
        catalog.wal().record(wal(2, 6));

        WalCoverage coverage = catalog.wal().walCoverage(CLUSTER, path, lsn("0/2000028"), lsn("0/7000000"));

        assertThat(coverage.segments()).extracting(WalSegmentRow::fileName).containsExactly(
                "000000010000000000000002", "000000010000000000000004", "000000020000000000000005",
                "000000020000000000000006");
        assertThat(coverage.gaps()).containsExactly(new LsnRange(TLI_1, lsn("0/3000000"), lsn("0/4000000")));
    }

    @Test
    void coverageOnTheAbandonedTimelineUsesItsPartialSegment() {
        catalog.wal().record(wal(1, 4));
        catalog.wal().record(partialWal(1, 5, lsn("0/5800000")));
        catalog.wal().record(wal(2, 5));

        WalCoverage coverage = catalog.wal().walCoverage(CLUSTER, TimelineHistory.initial(), lsn("0/4000000"),
                lsn("0/5A00000"));

        assertThat(coverage.segments()).extracting(WalSegmentRow::fileName)
                .containsExactly("000000010000000000000004", "000000010000000000000005.partial");
        assertThat(coverage.gaps()).containsExactly(new LsnRange(TLI_1, lsn("0/5800000"), lsn("0/5A00000")));
    }

    @Test
    void coverageToASegmentBoundaryNeedsNothingOfTheNextSegment() {
        catalog.wal().record(wal(1, 4));

        WalCoverage coverage = catalog.wal().walCoverage(CLUSTER, TimelineHistory.initial(), lsn("0/4000028"),
                lsn("0/5000000"));

        assertThat(coverage.isComplete()).isTrue();
        assertThat(coverage.segments()).containsExactly(wal(1, 4));
    }

    @Test
    void gapsAreRecordedOnceAndListedInLsnOrder() {
        LsnRange later = new LsnRange(TLI_2, lsn("0/9000000"), lsn("0/A000000"));
        LsnRange earlier = new LsnRange(TLI_1, lsn("0/3000000"), lsn("0/3800000"));

        WalGapRow first = catalog.walGaps().record(CLUSTER, later, T0, "replication slot lost after failover");
        WalGapRow again = catalog.walGaps().record(CLUSTER, later, T0.plusSeconds(5), "seen again");
        catalog.walGaps().record(CLUSTER, earlier, T0, "WAL recycled");

        assertThat(again).isEqualTo(first);
        assertThat(catalog.walGaps().list(CLUSTER)).extracting(WalGapRow::range, WalGapRow::reason).containsExactly(
                tuple(earlier, "WAL recycled"),
                tuple(later, "replication slot lost after failover"));
    }

    @Test
    void partialSegmentMustEndInsideItsSegment() {
        assertThatThrownBy(() -> partialWal(1, 5, lsn("0/6000001")))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("partial WAL segment 000000010000000000000005 of cluster c1 cannot end at 0/6000001: "
                        + "expected after 0/5000000 and at most 0/6000000");
        assertThat(partialWal(1, 5, lsn("0/6000000")).end()).isEqualTo(segment(1, 5).endLsn());
    }
}
