package dev.cellar.server.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.catalog.BackupOrigin;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.restore.PointInTimeRestore;
import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.plan.RecoveryTarget;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.restore.plan.TargetTimeline;
import dev.cellar.server.backup.BackupJob;
import dev.cellar.server.backup.CatalogWalRecorder;
import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.RestoredServer;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restores across a failover, from a backup taken on the standby before it was promoted: targets
 * on timeline 1 before the switch and on timeline 2 after it both land exactly; along timeline 1
 * (--target-timeline 1) a target before the switch works and one after it is refused, as
 * PostgreSQL could not reach it either (the old primary's WAL after the switch never reached the
 * repository).
 */
class FailoverRestoreIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(90);

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void targetsOnBothSidesOfAFailoverLandExactly(int major) throws Exception {
        PgServer primary = PG.start(major, conf -> conf.add("autovacuum = off"));
        primary.execute("CREATE TABLE events (id int PRIMARY KEY, phase text)",
                "INSERT INTO events SELECT i, 'start' FROM generate_series(1, 100) i");
        PgServer standby = PG.standbyOf(primary);
        Path root = TestRoot.newDirectory("failover");
        Repository repository = new Repository(LocalStore.open(Files.createDirectories(root.resolve("repo"))));
        ReplicationConnectionSettings connection = ReplicationConnectionSettings.builder(TestCredentials.SCRAM_USER)
                .password(() -> Optional.of(TestCredentials.SCRAM_PASSWORD.toCharArray()))
                .connectTimeout(Duration.ofSeconds(5)).targetSessionAttrs(TargetSessionAttrs.READ_WRITE)
                .endpoint(primary.host(), primary.port()).endpoint(standby.host(), standby.port()).build();
        try (Catalog catalog = Catalog.open(root.resolve("catalog.db"));
             WalStreamSupervisor supervisor = new WalStreamSupervisor(
                     new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1)), Clock.systemUTC())) {
            supervisor.start(new WalStream(WalStreamSettings.of("c1", connection, "cellar_c1", false,
                    root.resolve("spool"), Codec.parse("zstd:1")), repository, new CatalogWalRecorder(catalog, repository),
                    Clock.systemUTC()));
            BackupRow backup = ((BackupJob.Result.Taken) new BackupJob(repository, catalog, Clock.systemUTC())
                    .run(new BackupJob.Request("c1", connection, BackupFrom.STANDBY, BaseBackupOptions.full("standby"),
                            Codec.parse("zstd:1"), BackupWriterSettings.defaults().withChunkSize(1 << 20), false, false,
                            false), run -> { })).backup();
            assertThat(backup.backupFrom()).isEqualTo(BackupOrigin.STANDBY);
            primary.switchWal(); // the standby's backup ends where the primary's WAL went on; finish that segment
            Awaitility.await("standby backup restorable").atMost(WAIT)
                    .until(() -> catalog.backups().get(backup.id()).status() == BackupStatus.COMPLETE);

            primary.execute("INSERT INTO events SELECT i, 'timeline 1' FROM generate_series(101, 200) i");
            Lsn markOne = Lsn.parse(primary.queryString("SELECT pg_current_wal_insert_lsn()::text"));
            Instant timeOne = primary.clockTimestamp();
            primary.execute("INSERT INTO events SELECT i, 'timeline 1, late' FROM generate_series(201, 300) i");
            Lsn endOne = primary.switchWal();
            Awaitility.await("timeline 1 archived").atMost(WAIT).until(() -> archivedThrough(catalog, endOne));
            Awaitility.await("standby caught up").atMost(WAIT).until(() -> !standby.currentLsn().isBefore(endOne));

            primary.kill9();
            standby.promote();
            Lsn switchPoint = Lsn.parse(standby.queryString(
                    "SELECT pg_current_wal_insert_lsn()::text")); // at or just after the switch
            standby.execute("INSERT INTO events SELECT i, 'timeline 2' FROM generate_series(301, 400) i");
            Instant timeTwo = standby.clockTimestamp();
            standby.execute("INSERT INTO events SELECT i, 'timeline 2, late' FROM generate_series(401, 500) i");
            Lsn endTwo = standby.switchWal();
            Awaitility.await("timeline 2 archived").atMost(WAIT).until(() -> catalog.timelines().find("c1",
                    TimelineId.of(2)).isPresent() && archivedThrough(catalog, endTwo));

            record Case(String name, RestoreTarget target, long rows, String lastPhase, long timeline) {
            }
            RestoreTarget base = RestoreTarget.latest();
            List<Case> cases = List.of(
                    new Case("tl1-time", base.withTarget(new RecoveryTarget.AtTime(timeOne)), 200, "timeline 1", 2),
                    new Case("tl1-lsn", base.withTarget(new RecoveryTarget.AtLsn(markOne)), 200, "timeline 1", 2),
                    new Case("tl2-time", base.withTarget(new RecoveryTarget.AtTime(timeTwo)), 400, "timeline 2", 2),
                    new Case("tl1-only", base.withTarget(new RecoveryTarget.AtLsn(markOne))
                            .withTimeline(new TargetTimeline.Exact(TimelineId.INITIAL)), 200, "timeline 1", 1),
                    new Case("latest", base, 500, "timeline 2, late", 2));
            for (Case c : cases) {
                RestorePlan plan = PointInTimeRestore.plan(repository, catalog, "c1", c.target(), Clock.systemUTC());
                assertThat(plan.backup().id()).as(c.name()).isEqualTo(backup.id());
                assertThat(plan.path().timeline()).as(c.name()).isEqualTo(TimelineId.of(c.timeline()));
                Path data = root.resolve("restore-" + c.name()).resolve("data");
                PointInTimeRestore.export(repository, plan, ExportOptions.into(data).withJobs(2), Clock.systemUTC());
                try (RestoredServer restored = RestoredServer.start(primary, data)) {
                    assertThat(restored.queryLong("SELECT count(*) FROM events")).as(c.name()).isEqualTo(c.rows());
                    assertThat(restored.queryLong("SELECT count(*) FROM events WHERE phase = '" + c.lastPhase() + "'"))
                            .as(c.name()).isEqualTo(100);
                }
            }
            // Along timeline 1, past the switch: the repository never received that WAL.
            PointInTimeRestoreIT.assertRefused(() -> PointInTimeRestore.plan(repository, catalog, "c1",
                    base.withTarget(new RecoveryTarget.AtLsn(switchPoint.plus(16L << 20)))
                            .withTimeline(new TargetTimeline.Exact(TimelineId.INITIAL)), Clock.systemUTC()),
                    "is beyond the archived WAL after backup " + backup.id(), "recoverable on timeline 1: ");
        }
    }

    static boolean archivedThrough(Catalog catalog, Lsn lsn) {
        return catalog.wal().list("c1").stream().map(WalSegmentRow::end).anyMatch(e -> e.compareTo(lsn) >= 0);
    }

    static List<Integer> majors() {
        return PgMajors.selected();
    }
}
