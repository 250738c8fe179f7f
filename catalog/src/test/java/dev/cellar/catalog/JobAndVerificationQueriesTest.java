package dev.cellar.catalog;

import static dev.cellar.catalog.CatalogFixtures.CLUSTER;
import static dev.cellar.catalog.CatalogFixtures.T0;
import static dev.cellar.catalog.CatalogFixtures.fullBackup;
import static dev.cellar.catalog.CatalogFixtures.lsn;
import static dev.cellar.catalog.CatalogFixtures.registerCluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class JobAndVerificationQueriesTest extends CatalogTestBase {

    @BeforeEach
    void cluster() {
        registerCluster(catalog);
    }

    @Nested
    class Jobs {
        @Test
        void jobRunsFromStartToFinish() {
            JobRow started = catalog.jobs().start(CLUSTER, "full-backup", T0);

            assertThat(started).isEqualTo(new JobRow(started.id(), Optional.of(CLUSTER), "full-backup", T0,
                    Optional.empty(), JobOutcome.RUNNING, Optional.empty()));
            assertThat(catalog.jobs().running()).containsExactly(started);

            JobRow finished = catalog.jobs().finish(started.id(), JobOutcome.SUCCEEDED, T0.plusSeconds(42),
                    "backup 20261121T064300Z-F");

            assertThat(finished.outcome()).isEqualTo(JobOutcome.SUCCEEDED);
            assertThat(finished.endedAt()).contains(T0.plusSeconds(42));
            assertThat(finished.message()).contains("backup 20261121T064300Z-F");
            assertThat(catalog.jobs().running()).isEmpty();
        }

        @Test
        void finishingTwiceIsRefused() {
            JobRow job = catalog.jobs().start(CLUSTER, "retention", T0);
            catalog.jobs().finish(job.id(), JobOutcome.SKIPPED, T0, "another retention run was in progress");

            assertThatThrownBy(() -> catalog.jobs().finish(job.id(), JobOutcome.FAILED, T0.plusSeconds(1)))
                    .isInstanceOf(CellarException.class)
                    .hasMessage("catalog %s: job %d already ended at %s as skipped", catalog.file(), job.id(), T0);
        }

        @Test
        void serverJobsHaveNoCluster() {
            JobRow job = catalog.jobs().startServerJob("offsite-sync", T0);

            assertThat(job.cluster()).isEmpty();
            assertThat(catalog.jobs().recent(10)).containsExactly(job);
            assertThat(catalog.jobs().recent(CLUSTER, 10)).isEmpty();
        }

        @Test
        void recentIsNewestFirstAndLimited() {
            JobRow first = catalog.jobs().start(CLUSTER, "a", T0);
            JobRow second = catalog.jobs().start(CLUSTER, "b", T0.plusSeconds(1));
            JobRow third = catalog.jobs().start(CLUSTER, "c", T0.plusSeconds(2));

            assertThat(catalog.jobs().recent(CLUSTER, 2)).containsExactly(third, second);
            assertThat(second.id()).isGreaterThan(first.id());
        }

        @Test
        void jobOfAnUnknownClusterIsRefused() {
            assertThatThrownBy(() -> catalog.jobs().start("nope", "full-backup", T0))
                    .isInstanceOf(CellarException.class)
                    .hasMessage("catalog %s: no cluster named \"nope\"", catalog.file());
        }
    }

    @Nested
    class Verifications {
        @BeforeEach
        void backup() {
            catalog.backups().save(fullBackup("F", 1, lsn("0/2000028"), lsn("0/2000138"), T0), List.of(), List.of());
        }

        @Test
        void verificationRunsFromStartToFinishWithJsonDetails() {
            VerificationRow started = catalog.verifications().start(CLUSTER, "F", "latest", T0);
            String details = "{\"checks\":[{\"name\":\"recovery\",\"ok\":true}]}";

            VerificationRow finished = catalog.verifications().finish(started.id(), VerificationOutcome.PASSED,
                    T0.plusSeconds(90), "recovered to 0/2000138 and passed 1 check", details);

            assertThat(finished).isEqualTo(new VerificationRow(started.id(), CLUSTER, Optional.of("F"), T0,
                    Optional.of(T0.plusSeconds(90)), "latest", VerificationOutcome.PASSED,
                    Optional.of("recovered to 0/2000138 and passed 1 check"), Optional.of(details)));
            assertThat(catalog.verifications().recent(CLUSTER, 5)).containsExactly(finished);
            assertThat(catalog.verifications().ofBackup("F")).containsExactly(finished);
        }

        @Test
        void detailsMustBeJson() {
            VerificationRow started = catalog.verifications().start(CLUSTER, "F", "latest", T0);

            assertThatThrownBy(() -> catalog.verifications().finish(started.id(), VerificationOutcome.FAILED,
                    T0.plusSeconds(1), "broken", "{not json"))
                    .isInstanceOf(CellarException.class)
                    .hasMessageStartingWith("catalog %s: recording the end of verification %d failed: ",
                            catalog.file(), started.id())
                    .hasMessageContaining("CHECK constraint failed");
        }

        @Test
        void verificationOfAnUnknownBackupIsRefused() {
            assertThatThrownBy(() -> catalog.verifications().start(CLUSTER, "nope", "latest", T0))
                    .isInstanceOf(CellarException.class)
                    .hasMessage("catalog %s: no backup nope", catalog.file());
        }
    }
}
