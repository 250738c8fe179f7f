package dev.cellar.catalog;

import static dev.cellar.catalog.CatalogFixtures.CLUSTER;
import static dev.cellar.catalog.CatalogFixtures.T0;
import static dev.cellar.catalog.CatalogFixtures.backup;
import static dev.cellar.catalog.CatalogFixtures.fullBackup;
import static dev.cellar.catalog.CatalogFixtures.incrementalBackup;
import static dev.cellar.catalog.CatalogFixtures.lsn;
import static dev.cellar.catalog.CatalogFixtures.registerCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Timeline 1 ran until 0/5800000, where timeline 2 branched off. The old primary went on writing
 * timeline 1 after that point for a while (a backup was even taken there), which is the abandoned
 * part of timeline 1: nothing on timeline 2's path may come from it.
 */
class LatestBackupBeforeTest extends CatalogTestBase {
    private static final TimelineHistory ON_1 = TimelineHistory.initial();
    private static final TimelineHistory ON_2 = ON_1.branch(TimelineId.of(2), lsn("0/5800000"), "");

    private static Instant hour(int n) {
        return T0.plus(Duration.ofHours(n));
    }

    @BeforeEach
    void backups() {
        registerCluster(catalog);
        save(fullBackup("tli1-early", 1, lsn("0/2000028"), lsn("0/3000100"), hour(1)));
        save(fullBackup("tli1-before-switch", 1, lsn("0/4000028"), lsn("0/5000000"), hour(2)));
        save(fullBackup("tli1-abandoned", 1, lsn("0/5880000"), lsn("0/5900000"), hour(3)));
        save(fullBackup("tli2", 2, lsn("0/6000028"), lsn("0/7000000"), hour(4)));
        save(backup("tli2-failed", BackupKind.FULL, Optional.empty(), 2, lsn("0/7000028"), lsn("0/7100000"), hour(5),
                BackupStatus.FAILED));
    }

    private void save(BackupRow row) {
        catalog.backups().save(row, List.of(), List.of());
    }

    private Optional<String> before(TimelineHistory path, String target) {
        return catalog.backups().latestBackupBefore(CLUSTER, path, lsn(target)).map(BackupRow::id);
    }

    private Optional<String> before(TimelineHistory path, Instant target) {
        return catalog.backups().latestBackupBefore(CLUSTER, path, target).map(BackupRow::id);
    }

    @Test
    void targetExactlyAtABackupsEndChoosesThatBackup() {
        assertThat(before(ON_2, "0/7000000")).contains("tli2");
    }

    @Test
    void targetOneByteBeforeABackupsEndChoosesTheOneBefore() {
        assertThat(before(ON_2, "0/6FFFFFF")).contains("tli1-before-switch");
    }

    @Test
    void backupOnTheAbandonedPartOfTheParentIsNeverChosenForTheChildsPath() {
        assertThat(before(ON_2, "0/5900000")).contains("tli1-before-switch");
        assertThat(before(ON_2, "0/5FFFFFF")).contains("tli1-before-switch");
    }

    @Test
    void onTheParentsOwnPathItsLaterBackupIsChosen() {
        assertThat(before(ON_1, "0/5900000")).contains("tli1-abandoned");
        assertThat(before(ON_1, "1/0")).contains("tli1-abandoned");
    }

    @Test
    void backupEndingExactlyAtTheSwitchPointIsOnBothPaths() {
        save(fullBackup("tli1-at-switch", 1, lsn("0/5400000"), lsn("0/5800000"), hour(2).plusSeconds(60)));

        assertThat(before(ON_2, "0/6000000")).contains("tli1-at-switch");
        assertThat(before(ON_1, "0/5800000")).contains("tli1-at-switch");
    }

    @Test
    void onlyCompleteBackupsAreChosen() {
        assertThat(before(ON_2, "0/8000000")).contains("tli2");
    }

    @Test
    void targetBeforeEveryBackupFindsNothing() {
        assertThat(before(ON_2, "0/3000000")).isEmpty();
    }

    @Test
    void incrementalBackupsAreCandidatesToo() {
        save(incrementalBackup("tli2-incr", "tli2", 2, lsn("0/7200028"), lsn("0/7300000"), hour(6)));

        assertThat(before(ON_2, "0/7300000")).contains("tli2-incr");
    }

    @Test
    void byTimeTheBackupMustHaveEndedByTheTargetTime() {
        assertThat(before(ON_2, hour(4))).contains("tli2");
        assertThat(before(ON_2, hour(4).minusNanos(1000))).contains("tli1-before-switch");
        assertThat(before(ON_2, hour(0))).isEmpty();
    }

    @Test
    void byTimeTheAbandonedPartOfTheParentIsExcludedToo() {
        assertThat(before(ON_2, hour(3).plusSeconds(1800))).contains("tli1-before-switch");
        assertThat(before(ON_1, hour(3).plusSeconds(1800))).contains("tli1-abandoned");
    }

    @Test
    void anotherClustersBackupsAreNotCandidates() {
        catalog.clusters().register("c2", 2, 17, CatalogFixtures.SEGMENT_SIZE, T0);

        assertThat(catalog.backups().latestBackupBefore("c2", ON_2, Lsn.of(-1))).isEmpty();
    }

    @Test
    void unknownClusterIsAnError() {
        assertThatThrownBy(() -> catalog.backups().latestBackupBefore("nope", ON_2, lsn("0/7000000")))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: no cluster named \"nope\"", catalog.file());
    }
}
