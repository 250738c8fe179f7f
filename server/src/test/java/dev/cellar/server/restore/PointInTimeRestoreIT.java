package dev.cellar.server.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.Catalog;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.restore.PointInTimeRestore;
import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.export.ExportResult;
import dev.cellar.restore.plan.RecoveryTarget;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.RestoredServer;
import dev.cellar.testkit.PostgresKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The classic drill on every major: data, a backup, more data, a mark (time, LSN, restore point,
 * the xid of the deleting transaction), a delete, more data; then restores to each mark into new
 * directories, each started with a plain pg_ctl start as a new cluster: the deleted rows are back
 * and nothing after the mark is there. Also the refusals, which must write nothing.
 */
class PointInTimeRestoreIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(90);

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("majors")
    void theClassicDrillLandsExactlyOnEveryKindOfTarget(int major) throws Exception {
        try (RestoreDrill drill = RestoreDrill.run(PG, major)) {
            PgServer server = drill.server;
            Repository repository = drill.repository;
            Catalog catalog = drill.catalog;
            BackupRow backup = drill.backup;
            Path root = drill.root;
            Instant markTime = drill.markTime;
            Lsn mark = drill.mark;
            long deletingXid = drill.deletingXid;
            Instant beforeBackup = drill.beforeBackup;

            record Case(String name, RestoreTarget target, long rows, boolean afterDeletePresent) {
            }
            List<Case> cases = List.of(
                    new Case("time", RestoreTarget.latest().withTarget(new RecoveryTarget.AtTime(markTime)), 2000, false),
                    new Case("lsn", RestoreTarget.latest().withTarget(new RecoveryTarget.AtLsn(mark)), 2000, false),
                    new Case("name", RestoreTarget.latest().withTarget(new RecoveryTarget.AtName("before_delete")),
                            2000, false),
                    new Case("xid-exclusive", RestoreTarget.latest().withTarget(new RecoveryTarget.AtXid(deletingXid))
                            .withInclusive(false), 2000, false),
                    new Case("xid-inclusive", RestoreTarget.latest().withTarget(new RecoveryTarget.AtXid(deletingXid)),
                            1500, false),
                    new Case("latest", RestoreTarget.latest(), 1501, true),
                    new Case("immediate", RestoreTarget.latest().withTarget(new RecoveryTarget.Immediate()), 1000,
                            false));
            for (Case c : cases) {
                RestorePlan plan = PointInTimeRestore.plan(repository, catalog, "c1", c.target(), Clock.systemUTC());
                assertThat(plan.backup().id()).as(c.name()).isEqualTo(backup.id());
                Path data = root.resolve("restore-" + c.name()).resolve("data");
                ExportResult result = PointInTimeRestore.export(repository, plan, ExportOptions.into(data).withJobs(2),
                        Clock.systemUTC());
                assertThat(result.walFiles()).as(c.name()).isPositive();
                assertThat(data.resolve("recovery.signal")).exists();
                assertThat(data.resolve("postmaster.pid")).doesNotExist();
                assertThat(Files.readString(data.resolve("postgresql.auto.conf")))
                        .contains("restore_command = 'cp \"cellar_wal/%f\" \"%p\"'", "primary_conninfo = ''");
                try (RestoredServer restored = RestoredServer.start(server, data)) {
                    assertThat(restored.queryLong("SELECT count(*) FROM drill")).as(c.name()).isEqualTo(c.rows());
                    assertThat(restored.queryLong("SELECT count(*) FROM drill WHERE id = 5000")).as(c.name())
                            .isEqualTo(c.afterDeletePresent() ? 1 : 0);
                    // A new cluster: it accepts writes.
                    restored.execute("INSERT INTO drill VALUES (9999, 'new cluster')");
                }
            }

            // Refusals write nothing.
            Path untouched = root.resolve("refused").resolve("data");
            assertRefused(() -> PointInTimeRestore.plan(repository, catalog, "c1", RestoreTarget.latest()
                    .withTarget(new RecoveryTarget.AtTime(beforeBackup.minusSeconds(60))), Clock.systemUTC()),
                    "no backup can reach time", "recoverable on timeline 1: ");
            assertRefused(() -> PointInTimeRestore.plan(repository, catalog, "c1", RestoreTarget.latest()
                    .withTarget(new RecoveryTarget.AtTime(Instant.now().plusSeconds(3600))), Clock.systemUTC()),
                    "is in the future");
            assertRefused(() -> PointInTimeRestore.plan(repository, catalog, "c1", RestoreTarget.latest()
                    .withTarget(new RecoveryTarget.AtName("never_created")), Clock.systemUTC()),
                    "restore point \"never_created\" is not in the WAL after backup " + backup.id());
            assertThat(untouched.getParent()).doesNotExist();
            Files.createDirectories(untouched);
            Files.writeString(untouched.resolve("keep.txt"), "mine");
            RestorePlan latest = PointInTimeRestore.plan(repository, catalog, "c1", RestoreTarget.latest(),
                    Clock.systemUTC());
            assertRefused(() -> PointInTimeRestore.export(repository, latest, ExportOptions.into(untouched),
                    Clock.systemUTC()), "is not empty (it holds keep.txt)");
            assertThat(untouched).isDirectoryContaining(p -> p.getFileName().toString().equals("keep.txt"));
            assertThat(Files.list(untouched).count()).isEqualTo(1);
        }
    }

    static void assertRefused(Runnable action, String... fragments) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(CellarException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
            assertThat(e.getMessage() + " | " + e.hint().orElse("")).contains(fragments);
        });
    }

    static List<Integer> majors() {
        return PgMajors.selected();
    }
}
