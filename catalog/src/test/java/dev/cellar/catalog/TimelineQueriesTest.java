package dev.cellar.catalog;

import static dev.cellar.catalog.CatalogFixtures.CLUSTER;
import static dev.cellar.catalog.CatalogFixtures.lsn;
import static dev.cellar.catalog.CatalogFixtures.registerCluster;
import static dev.cellar.catalog.CatalogFixtures.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TimelineQueriesTest extends CatalogTestBase {
    private static final TimelineId TLI_1 = TimelineId.of(1);
    private static final TimelineId TLI_2 = TimelineId.of(2);
    private static final TimelineId TLI_3 = TimelineId.of(3);
    private static final TimelineHistory HISTORY_3 = TimelineHistory.initial()
            .branch(TLI_2, lsn("0/5800000"), "no recovery target specified")
            .branch(TLI_3, lsn("0/9000000"), "no recovery target specified");

    @BeforeEach
    void cluster() {
        registerCluster(catalog);
    }

    @Test
    void historyRecordsTheTimelineAndEveryAncestor() {
        WriteOutcome outcome = catalog.timelines().record(CLUSTER, HISTORY_3, sha("3.history"));

        assertThat(outcome).isEqualTo(WriteOutcome.INSERTED);
        assertThat(catalog.timelines().list(CLUSTER)).containsExactly(
                new TimelineRow(CLUSTER, TLI_1, Optional.empty(), Optional.empty(), Optional.empty()),
                new TimelineRow(CLUSTER, TLI_2, Optional.of(TLI_1), Optional.of(lsn("0/5800000")), Optional.empty()),
                new TimelineRow(CLUSTER, TLI_3, Optional.of(TLI_2), Optional.of(lsn("0/9000000")),
                        Optional.of(sha("3.history"))));
    }

    @Test
    void recordingTheSameHistoryAgainChangesNothing() {
        catalog.timelines().record(CLUSTER, HISTORY_3, sha("3.history"));

        assertThat(catalog.timelines().record(CLUSTER, HISTORY_3, sha("3.history"))).isEqualTo(WriteOutcome.UNCHANGED);
        assertThat(catalog.timelines().record(CLUSTER, HISTORY_3)).isEqualTo(WriteOutcome.UNCHANGED);
    }

    @Test
    void anAncestorsChecksumIsFilledInWhenItsOwnHistoryArrives() {
        catalog.timelines().record(CLUSTER, HISTORY_3, sha("3.history"));
        TimelineHistory history2 = TimelineHistory.initial().branch(TLI_2, lsn("0/5800000"), "");

        assertThat(catalog.timelines().record(CLUSTER, history2, sha("2.history"))).isEqualTo(WriteOutcome.UPDATED);
        assertThat(catalog.timelines().find(CLUSTER, TLI_2).orElseThrow().historySha256()).contains(sha("2.history"));
    }

    @Test
    void timelineOneNeedsNoHistoryFile() {
        assertThat(catalog.timelines().record(CLUSTER, TimelineHistory.initial())).isEqualTo(WriteOutcome.INSERTED);
        assertThat(catalog.timelines().list(CLUSTER)).extracting(TimelineRow::timeline).containsExactly(TLI_1);
    }

    @Test
    void aContradictingBranchPointIsRefused() {
        catalog.timelines().record(CLUSTER, HISTORY_3, sha("3.history"));
        TimelineHistory other = TimelineHistory.initial().branch(TLI_2, lsn("0/5900000"), "");

        assertThatThrownBy(() -> catalog.timelines().record(CLUSTER, other, sha("other")))
                .isInstanceOfSatisfying(CellarException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CATALOG_FAILED))
                .hasMessage("catalog %s: timeline 2 of cluster \"c1\" is catalogued as branching off timeline 1 at "
                        + "0/5800000, but the new history says timeline 1 at 0/5900000", catalog.file());
    }

    @Test
    void aDifferentChecksumOfAKnownHistoryFileIsRefused() {
        catalog.timelines().record(CLUSTER, HISTORY_3, sha("3.history"));

        assertThatThrownBy(() -> catalog.timelines().record(CLUSTER, HISTORY_3, sha("changed")))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: the history file of timeline 3 of cluster \"c1\" is catalogued with SHA-256 "
                        + "%s, but the new one has %s", catalog.file(), sha("3.history"), sha("changed"));
    }

    @Test
    void historyThatDoesNotReachTimelineOneIsRefused() {
        TimelineHistory partial = new TimelineHistory(TLI_3, List.of(
                new TimelineHistory.Entry(TLI_2, lsn("0/9000000"), "")));

        assertThatThrownBy(() -> catalog.timelines().record(CLUSTER, partial, sha("3")))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: the history of timeline 3 of cluster \"c1\" begins at timeline 2, not 1",
                        catalog.file());
    }

    @Test
    void historyIsRebuiltFromTheCataloguedAncestry() {
        catalog.timelines().record(CLUSTER, HISTORY_3, sha("3.history"));

        TimelineHistory rebuilt = catalog.timelines().history(CLUSTER, TLI_3).orElseThrow();

        assertThat(rebuilt.path()).isEqualTo(HISTORY_3.path());
        assertThat(catalog.timelines().history(CLUSTER, TLI_1)).contains(TimelineHistory.initial());
        assertThat(catalog.timelines().history(CLUSTER, TimelineId.of(4))).isEmpty();
    }
}
