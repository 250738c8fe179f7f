package dev.cellar.catalog;

import static dev.cellar.catalog.CatalogFixtures.CLUSTER;
import static dev.cellar.catalog.CatalogFixtures.SEGMENT_SIZE;
import static dev.cellar.catalog.CatalogFixtures.T0;
import static dev.cellar.catalog.CatalogFixtures.backup;
import static dev.cellar.catalog.CatalogFixtures.fullBackup;
import static dev.cellar.catalog.CatalogFixtures.incrementalBackup;
import static dev.cellar.catalog.CatalogFixtures.lsn;
import static dev.cellar.catalog.CatalogFixtures.registerCluster;
import static dev.cellar.catalog.CatalogFixtures.runningBackup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackupQueriesTest extends CatalogTestBase {
    private static final List<BackupDatabase> DATABASES = List.of(new BackupDatabase(16384, "app"),
            new BackupDatabase(5, "postgres"), new BackupDatabase(1, "template1"));
    private static final List<BackupTablespace> TABLESPACES = List.of(new BackupTablespace(16500, "fast", "/ssd/pg"));

    @BeforeEach
    void cluster() {
        registerCluster(catalog);
    }

    private void save(BackupRow row) {
        catalog.backups().save(row, List.of(), List.of());
    }

    @Test
    void savedBackupReadsBackWithItsDatabasesAndTablespaces() {
        BackupRow row = fullBackup("20261121T064300Z-F", 1, lsn("0/2000028"), lsn("0/2000138"), T0);

        assertThat(catalog.backups().save(row, DATABASES, TABLESPACES)).isEqualTo(WriteOutcome.INSERTED);

        assertThat(catalog.backups().get(row.id())).isEqualTo(row);
        assertThat(catalog.backups().databases(row.id())).containsExactly(new BackupDatabase(1, "template1"),
                new BackupDatabase(5, "postgres"), new BackupDatabase(16384, "app"));
        assertThat(catalog.backups().tablespaces(row.id())).isEqualTo(TABLESPACES);
    }

    @Test
    void aRunningBackupIsCompletedBySavingItAgain() {
        BackupRow running = runningBackup("b1", lsn("0/2000028"), T0);
        catalog.backups().save(running, List.of(), List.of());
        BackupRow complete = new BackupRow("b1", CLUSTER, BackupKind.FULL, Optional.empty(), running.label(),
                running.startLsn(), TimelineId.INITIAL, Optional.of(lsn("0/2000138")), Optional.of(TimelineId.INITIAL),
                Optional.of(lsn("0/2000060")), T0, Optional.of(T0.plusSeconds(30)), 170002, BackupOrigin.STANDBY,
                1_000, 400, BackupStatus.COMPLETE, Optional.empty(), Optional.empty(), false);

        assertThat(catalog.backups().save(complete, DATABASES, TABLESPACES)).isEqualTo(WriteOutcome.UPDATED);
        assertThat(catalog.backups().save(complete, DATABASES, TABLESPACES)).isEqualTo(WriteOutcome.UNCHANGED);
        assertThat(catalog.backups().get("b1")).isEqualTo(complete);
        assertThat(catalog.backups().get("b1").isRestorable()).isTrue();
    }

    @Test
    void whatABackupIsCannotChange() {
        BackupRow row = fullBackup("b1", 1, lsn("0/2000028"), lsn("0/2000138"), T0);
        save(row);
        BackupRow moved = fullBackup("b1", 1, lsn("0/2000030"), lsn("0/2000140"), T0);

        assertThatThrownBy(() -> save(moved))
                .isInstanceOfSatisfying(CellarException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CATALOG_FAILED))
                .hasMessage("catalog %s: backup b1 is catalogued with start LSN 0/2000028, not 0/2000030; "
                        + "end LSN 0/2000138, not 0/2000140; checkpoint LSN 0/2000028, not 0/2000030", catalog.file());
    }

    @Test
    void aKnownEndCannotBeForgottenByAStaleWriter() {
        BackupRow complete = fullBackup("b1", 1, lsn("0/2000028"), lsn("0/2000138"), T0);
        save(complete);
        BackupRow stale = runningBackup("b1", lsn("0/2000028"), complete.startTime());

        assertThatThrownBy(() -> save(stale))
                .isInstanceOf(CellarException.class)
                .hasMessageContaining("end LSN 0/2000138, not (none)");
    }

    @Test
    void statusSizesAndFailureMayChange() {
        BackupRow running = runningBackup("b1", lsn("0/2000028"), T0);
        save(running);
        BackupRow failed = new BackupRow("b1", CLUSTER, BackupKind.FULL, Optional.empty(), running.label(),
                running.startLsn(), TimelineId.INITIAL, Optional.empty(), Optional.empty(), Optional.empty(), T0,
                Optional.of(T0.plusSeconds(5)), 170002, BackupOrigin.STANDBY, 10, 5, BackupStatus.FAILED,
                Optional.of("connection lost"), Optional.empty(), false);

        assertThat(catalog.backups().save(failed, List.of(), List.of())).isEqualTo(WriteOutcome.UPDATED);
        assertThat(catalog.backups().get("b1").failureMessage()).contains("connection lost");
        assertThat(catalog.backups().get("b1").isRestorable()).isFalse();
    }

    @Test
    void savingABackupAgainKeepsPinsSetMeanwhile() {
        BackupRow complete = fullBackup("b1", 1, lsn("0/2000028"), lsn("0/2000138"), T0);
        save(complete);
        catalog.backups().pinForever("b1");

        assertThat(catalog.backups().save(complete, List.of(), List.of())).isEqualTo(WriteOutcome.UNCHANGED);
        BackupRow foundBroken = backup("b1", BackupKind.FULL, Optional.empty(), 1, lsn("0/2000028"), lsn("0/2000138"),
                T0, BackupStatus.FAILED);
        assertThat(catalog.backups().save(foundBroken, List.of(), List.of())).isEqualTo(WriteOutcome.UPDATED);

        assertThat(catalog.backups().get("b1").status()).isEqualTo(BackupStatus.FAILED);
        assertThat(catalog.backups().get("b1").pinnedForever()).isTrue();
    }

    @Test
    void databaseListedTwiceIsRefused() {
        BackupRow row = fullBackup("b1", 1, lsn("0/2000028"), lsn("0/2000138"), T0);

        assertThatThrownBy(() -> catalog.backups().save(row,
                List.of(new BackupDatabase(5, "postgres"), new BackupDatabase(5, "again")), List.of()))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("backup b1 lists database OID 5 twice");
    }

    @Test
    void listIsNewestFirstAndFiltersByStatus() {
        save(fullBackup("b1", 1, lsn("0/2000028"), lsn("0/2000138"), T0));
        save(backup("b2", BackupKind.FULL, Optional.empty(), 1, lsn("0/3000028"), lsn("0/3000138"),
                T0.plusSeconds(3600), BackupStatus.FAILED));
        save(fullBackup("b3", 1, lsn("0/4000028"), lsn("0/4000138"), T0.plusSeconds(7200)));

        assertThat(catalog.backups().list(CLUSTER)).extracting(BackupRow::id).containsExactly("b3", "b2", "b1");
        assertThat(catalog.backups().list(CLUSTER, EnumSet.of(BackupStatus.COMPLETE)))
                .extracting(BackupRow::id).containsExactly("b3", "b1");
        assertThat(catalog.backups().list(CLUSTER, EnumSet.noneOf(BackupStatus.class))).isEmpty();
    }

    @Test
    void chainWalksParentsBackToTheFullBackup() {
        save(fullBackup("F", 1, lsn("0/2000028"), lsn("0/2000138"), T0));
        save(incrementalBackup("I1", "F", 1, lsn("0/3000028"), lsn("0/3000138"), T0.plusSeconds(60)));
        save(incrementalBackup("I2", "I1", 1, lsn("0/4000028"), lsn("0/4000138"), T0.plusSeconds(120)));

        BackupChain chain = catalog.backups().chain("I2");

        assertThat(chain.backups()).extracting(BackupRow::id).containsExactly("F", "I1", "I2");
        assertThat(chain.full().id()).isEqualTo("F");
        assertThat(chain.target().id()).isEqualTo("I2");
        assertThat(chain.isRestorable()).isTrue();
        assertThat(catalog.backups().chain("F").backups()).extracting(BackupRow::id).containsExactly("F");
    }

    @Test
    void chainWithAFailedLinkIsNotRestorable() {
        save(fullBackup("F", 1, lsn("0/2000028"), lsn("0/2000138"), T0));
        save(backup("I1", BackupKind.INCREMENTAL, Optional.of("F"), 1, lsn("0/3000028"), lsn("0/3000138"),
                T0.plusSeconds(60), BackupStatus.FAILED));
        save(incrementalBackup("I2", "I1", 1, lsn("0/4000028"), lsn("0/4000138"), T0.plusSeconds(120)));

        assertThat(catalog.backups().chain("I2").isRestorable()).isFalse();
    }

    @Test
    void chainWithAMissingParentNamesItAndWhoNeedsIt() {
        save(incrementalBackup("I1", "gone-F", 1, lsn("0/3000028"), lsn("0/3000138"), T0.plusSeconds(60)));
        save(incrementalBackup("I2", "I1", 1, lsn("0/4000028"), lsn("0/4000138"), T0.plusSeconds(120)));

        assertThatThrownBy(() -> catalog.backups().chain("I2"))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CATALOG_FAILED);
                    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).startsWith("backup I2 cannot be restored"));
                })
                .hasMessage("catalog %s: the chain of backup I2 is broken: parent gone-F of incremental backup I1 "
                        + "is not catalogued", catalog.file());
    }

    @Test
    void parentOfAnotherClusterIsRefused() {
        catalog.clusters().register("c2", 99, 17, SEGMENT_SIZE, T0);
        save(fullBackup("F", 1, lsn("0/2000028"), lsn("0/2000138"), T0));
        BackupRow foreign = new BackupRow("I-c2", "c2", BackupKind.INCREMENTAL, Optional.of("F"), "x",
                lsn("0/3000028"), TimelineId.INITIAL, Optional.empty(), Optional.empty(), Optional.empty(), T0,
                Optional.empty(), 170002, BackupOrigin.PRIMARY, 0, 0, BackupStatus.RUNNING, Optional.empty(),
                Optional.empty(), false);

        assertThatThrownBy(() -> save(foreign))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: backup I-c2 of cluster \"c2\" names parent F, which belongs to cluster \"c1\"",
                        catalog.file());
    }

    @Test
    void childrenAreTheIncrementalsBuiltDirectlyOnABackup() {
        save(fullBackup("F", 1, lsn("0/2000028"), lsn("0/2000138"), T0));
        save(incrementalBackup("I1", "F", 1, lsn("0/3000028"), lsn("0/3000138"), T0.plusSeconds(60)));
        save(incrementalBackup("I2", "I1", 1, lsn("0/4000028"), lsn("0/4000138"), T0.plusSeconds(120)));
        save(incrementalBackup("I1b", "F", 1, lsn("0/5000028"), lsn("0/5000138"), T0.plusSeconds(180)));

        assertThat(catalog.backups().children("F")).extracting(BackupRow::id).containsExactly("I1", "I1b");
        assertThat(catalog.backups().children("I2")).isEmpty();
    }

    @Test
    void deletingABackupRefusesWhileIncrementalsBuildOnIt() {
        save(fullBackup("F", 1, lsn("0/2000028"), lsn("0/2000138"), T0));
        save(incrementalBackup("I1", "F", 1, lsn("0/3000028"), lsn("0/3000138"), T0.plusSeconds(60)));

        assertThatThrownBy(() -> catalog.backups().delete("F"))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: backup F is the parent of I1", catalog.file());
        assertThat(catalog.backups().find("F")).isPresent();

        catalog.backups().delete("I1");
        catalog.backups().delete("F");
        assertThat(catalog.backups().list("c1")).isEmpty();
        assertThat(catalog.backups().databases("F")).as("its databases went with it").isEmpty();
        assertThatThrownBy(() -> catalog.backups().delete("F"))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: no backup F", catalog.file());
    }

    @Test
    void pinsKeepABackupUntilADateOrForEver() {
        save(fullBackup("b1", 1, lsn("0/2000028"), lsn("0/2000138"), T0));
        Instant until = T0.plus(Duration.ofDays(30));

        catalog.backups().pinUntil("b1", until);
        assertThat(catalog.backups().get("b1").isPinned(until.minusSeconds(1))).isTrue();
        assertThat(catalog.backups().get("b1").isPinned(until)).isFalse();

        catalog.backups().pinForever("b1");
        assertThat(catalog.backups().get("b1").pinnedForever()).isTrue();
        assertThat(catalog.backups().get("b1").pinnedUntil()).isEmpty();

        catalog.backups().unpin("b1");
        assertThat(catalog.backups().get("b1").isPinned(T0)).isFalse();
        assertThatThrownBy(() -> catalog.backups().pinForever("nope"))
                .isInstanceOf(CellarException.class)
                .hasMessage("catalog %s: no backup nope", catalog.file());
    }

    @Test
    void lsnAboveTheSignedRangeIsAValidUpperBound() {
        save(fullBackup("b1", 1, lsn("0/2000028"), lsn("0/2000138"), T0));

        assertThat(catalog.backups().latestBackupBefore(CLUSTER, TimelineHistory.initial(),
                Lsn.of(-1))).map(BackupRow::id).contains("b1");
    }
}
