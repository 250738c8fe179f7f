package dev.cellar.server.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.catalog.BackupChain;
import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.JobOutcome;
import dev.cellar.catalog.JobRow;
import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.testkit.TestRoot;
import dev.cellar.walreceiver.backup.BackupFrom;
import dev.cellar.walreceiver.backup.BaseBackupOptions;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.TargetSessionAttrs;
import dev.cellar.walreceiver.stream.Backoff;
import dev.cellar.walreceiver.stream.WalStream;
import dev.cellar.walreceiver.stream.WalStreamSettings;
import dev.cellar.walreceiver.stream.WalStreamSupervisor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backup jobs with a WAL stream running, as the server runs them: catalogued after the commit,
 * waiting for WAL until the stream has archived the backup's end, a chain of incrementals with
 * its parents, a scheduled run skipped (and recorded) when nothing changed, failures recorded.
 */
class BackupJobIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void incrementalChainsAreCataloguedWithTheirParentsAndIdleRunsAreSkipped() throws Exception {
        int major = PgMajors.selected().getLast();
        PgServer server = PG.start(major, conf -> conf.add("autovacuum = off"));
        server.execute("CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 50000) i", "VACUUM FREEZE t");
        Path root = TestRoot.newDirectory("server");
        Repository repository = new Repository(LocalStore.open(java.nio.file.Files.createDirectories(root.resolve("repo"))));
        ReplicationConnectionSettings connection = ReplicationConnectionSettings.builder(TestCredentials.SCRAM_USER)
                .password(() -> Optional.of(TestCredentials.SCRAM_PASSWORD.toCharArray()))
                .connectTimeout(Duration.ofSeconds(5)).targetSessionAttrs(TargetSessionAttrs.ANY)
                .endpoint(server.host(), server.port()).build();
        try (Catalog catalog = Catalog.open(root.resolve("catalog.db"));
             WalStreamSupervisor supervisor = new WalStreamSupervisor(
                     new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1)), Clock.systemUTC())) {
            supervisor.start(new WalStream(WalStreamSettings.of("c1", connection, "cellar_c1", false,
                    root.resolve("spool"), Codec.parse("zstd:1")), repository, new CatalogWalRecorder(catalog, repository),
                    Clock.systemUTC()));
            BackupJob jobs = new BackupJob(repository, catalog, Clock.systemUTC());
            boolean incremental = major >= 17;

            BackupRow full = taken(jobs.run(request(connection, false, false), run -> { }));
            assertThat(full.kind()).isEqualTo(BackupKind.FULL);
            // The primary switches WAL at the end of a backup: the stream archives the end segment soon.
            Awaitility.await("full backup restorable").atMost(WAIT)
                    .until(() -> catalog.backups().get(full.id()).status() == BackupStatus.COMPLETE);

            // Nothing changed: a scheduled run is skipped, and the skip is recorded with its reason.
            server.checkpoint();
            BackupJob.Result idle = jobs.run(request(connection, incremental, true), run -> { });
            assertThat(idle).isInstanceOf(BackupJob.Result.Skipped.class);
            JobRow skipped = catalog.jobs().recent("c1", 1).getFirst();
            assertThat(skipped.outcome()).isEqualTo(JobOutcome.SKIPPED);
            assertThat(skipped.message()).hasValueSatisfying(m -> assertThat(m).contains("nothing changed since backup "
                    + full.id()));

            String parent = full.id();
            for (int round = 1; round <= 3; round++) {
                server.execute("UPDATE t SET v = reverse(v) WHERE id <= " + round * 100);
                BackupRow next = taken(jobs.run(request(connection, incremental, true), run -> { }));
                assertThat(next.kind()).isEqualTo(incremental ? BackupKind.INCREMENTAL : BackupKind.FULL);
                if (incremental) {
                    assertThat(next.parentId()).contains(parent);
                }
                parent = next.id();
            }
            String last = parent;
            Awaitility.await("newest backup restorable").atMost(WAIT)
                    .until(() -> catalog.backups().get(last).status() == BackupStatus.COMPLETE);
            if (incremental) {
                BackupChain chain = catalog.backups().chain(last);
                assertThat(chain.backups()).hasSize(4);
                assertThat(chain.full().id()).isEqualTo(full.id());
                assertThat(chain.isRestorable()).isTrue();
            }

            // A failure is recorded on the job, with the reason.
            server.stop();
            assertThatThrownBy(() -> jobs.run(request(connection, false, false), run -> { }));
            JobRow failed = catalog.jobs().recent("c1", 1).getFirst();
            assertThat(failed.outcome()).isEqualTo(JobOutcome.FAILED);
            assertThat(failed.message()).hasValueSatisfying(m -> assertThat(m).contains(server.host() + ":" + server.port()));
        }
    }

    private static BackupJob.Request request(ReplicationConnectionSettings connection, boolean incremental,
            boolean scheduled) {
        return new BackupJob.Request("c1", connection, BackupFrom.ANY, BaseBackupOptions.full("job test"),
                Codec.parse("zstd:1"), BackupWriterSettings.defaults().withChunkSize(1 << 20), incremental, false,
                scheduled);
    }

    private static BackupRow taken(BackupJob.Result result) {
        assertThat(result).isInstanceOf(BackupJob.Result.Taken.class);
        return ((BackupJob.Result.Taken) result).backup();
    }

    static List<Integer> majors() {
        return PgMajors.selected();
    }
}
