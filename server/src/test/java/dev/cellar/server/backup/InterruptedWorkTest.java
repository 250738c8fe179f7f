package dev.cellar.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupOrigin;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.JobOutcome;
import dev.cellar.catalog.JobRow;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.memory.InMemoryStore;
import dev.cellar.storage.repository.BackupListing;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterruptedWorkTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    @Test
    void incompleteBackupsGoAndRunningJobsBecomeFailed(@TempDir Path dir) {
        Repository repository = new Repository(new InMemoryStore());
        repository.registerCluster(ClusterInfo.of("c1", "7000000000000000001", 170011, WalSegmentSize.DEFAULT,
                CLOCK.instant()));
        repository.putBackupObject("c1", "20261121T090000Z-F", "data/base/000000.chunk",
                new ByteArrayInputStream(new byte[100]), Codec.parse("none"));
        try (Catalog catalog = Catalog.open(dir.resolve("catalog.db"))) {
            catalog.clusters().register("c1", 7000000000000000001L, 17, WalSegmentSize.DEFAULT, CLOCK.instant());
            JobRow running = catalog.jobs().start("c1", BackupJob.TYPE, CLOCK.instant().minusSeconds(60));

            InterruptedWork.Report report = InterruptedWork.clean(repository, catalog, CLOCK);

            assertThat(report.removedBackups()).containsExactly("c1/20261121T090000Z-F");
            assertThat(report.failedJobs()).containsExactly(running.id());
            assertThat(repository.backups("c1")).noneMatch(l -> l instanceof BackupListing.Incomplete);
            JobRow failed = catalog.jobs().find(running.id()).orElseThrow();
            assertThat(failed.outcome()).isEqualTo(JobOutcome.FAILED);
            assertThat(failed.message()).contains(InterruptedWork.INTERRUPTED);
            assertThat(catalog.jobs().recent("c1", 1).getFirst().message())
                    .hasValueSatisfying(m -> assertThat(m).startsWith("removed incomplete backup 20261121T090000Z-F"));
            assertThat(InterruptedWork.clean(repository, catalog, CLOCK).removedBackups()).isEmpty();
        }
    }

    @Test
    void aBackupWhoseDeletionWasInterruptedIsForgottenByTheCatalog(@TempDir Path dir) {
        Repository repository = new Repository(new InMemoryStore());
        repository.registerCluster(ClusterInfo.of("c1", "7000000000000000001", 170011, WalSegmentSize.DEFAULT,
                CLOCK.instant()));
        try (Catalog catalog = Catalog.open(dir.resolve("catalog.db"))) {
            catalog.clusters().register("c1", 7000000000000000001L, 17, WalSegmentSize.DEFAULT, CLOCK.instant());
            // Catalogued as complete, but its backup.json (and everything else) is gone.
            catalog.backups().save(new BackupRow("20261121T080000Z-F", "c1", BackupKind.FULL, Optional.empty(),
                    "cellar full", Lsn.parse("0/2000028"), TimelineId.INITIAL, Optional.of(Lsn.parse("0/2000138")),
                    Optional.of(TimelineId.INITIAL), Optional.empty(), CLOCK.instant().minusSeconds(3600),
                    Optional.of(CLOCK.instant().minusSeconds(3500)), 170011, BackupOrigin.PRIMARY, 100, 50,
                    BackupStatus.COMPLETE, Optional.empty(), Optional.empty(), false), List.of(), List.of());

            InterruptedWork.clean(repository, catalog, CLOCK);

            assertThat(catalog.backups().find("20261121T080000Z-F")).isEmpty();
        }
    }
}
