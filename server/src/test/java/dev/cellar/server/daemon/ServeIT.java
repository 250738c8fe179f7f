package dev.cellar.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.core.Lsn;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredWal;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.testkit.TestRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code backupctl serve} as a child process with a configuration of two clusters of two majors and
 * the default schedules: the full backup a new cluster has missed runs at start and becomes
 * restorable once its WAL is archived; WAL of both clusters arrives in the repository; SIGTERM
 * stops it within a bounded time; a restart does not repeat the backup; after a kill -9 and a
 * restart, streaming resumes with no WAL gap.
 */
class ServeIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void servesTwoClustersStopsOnSigtermAndResumesAfterAKillWithoutAGap() throws Exception {
        List<Integer> majors = PgMajors.selected();
        PgServer first = PG.start(majors.getFirst());
        PgServer second = PG.start(majors.getLast());
        Path root = TestRoot.newDirectory("serve");
        Path repositoryPath = root.resolve("repo");
        Path passwordFile = root.resolve("password");
        Files.writeString(passwordFile, TestCredentials.SCRAM_PASSWORD + "\n");
        Path config = root.resolve("cellar.yaml");
        Files.writeString(config, """
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                clusters:
                  - name: first
                    conninfo: host=%s port=%d user=%s
                    password_file: %s
                  - name: second
                    conninfo: host=%s port=%d user=%s
                    password_file: %s
                """.formatted(repositoryPath, dev.cellar.restore.postgres.FreePort.onLoopback(), first.host(), first.port(), TestCredentials.SCRAM_USER, passwordFile,
                second.host(), second.port(), TestCredentials.SCRAM_USER, passwordFile));

        Process server = serve(config, root.resolve("serve-1.log"));
        Repository repository = new Repository(LocalStore.open(Files.createDirectories(repositoryPath)));
        Lsn firstEnd = first.switchWal();
        Lsn secondEnd = second.switchWal();
        awaitArchived(repository, "first", firstEnd);
        awaitArchived(repository, "second", secondEnd);
        Path catalogFile = repositoryPath.resolve("catalog.db");
        for (String cluster : List.of("first", "second")) {
            try {
                Awaitility.await(cluster + ": the missed full backup ran at start and is restorable").atMost(WAIT)
                        .ignoreExceptions().until(() -> completeFullBackups(catalogFile, cluster) == 1);
            } catch (RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\nserver log:\n" + Files.readString(root.resolve("serve-1.log")),
                        e);
            }
        }

        server.destroy(); // SIGTERM
        assertThat(server.waitFor(45, TimeUnit.SECONDS)).as("stopped on SIGTERM in time").isTrue();
        assertThat(Files.readString(root.resolve("serve-1.log"))).contains("a scheduled full backup was missed",
                "WAL streams flush and report", "stopped");

        // Restarted: streaming resumes where it stopped.
        first.execute("CREATE TABLE t AS SELECT generate_series(1, 10000) AS i");
        server = serve(config, root.resolve("serve-2.log"));
        firstEnd = first.switchWal();
        awaitArchived(repository, "first", firstEnd);
        assertThat(Files.readString(root.resolve("serve-2.log"))).doesNotContain("was missed");
        assertThat(completeFullBackups(catalogFile, "first")).isEqualTo(1);

        // kill -9 under load, then a restart: no WAL is lost, no gap.
        first.execute("INSERT INTO t SELECT generate_series(1, 100000)");
        server.destroyForcibly();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        first.execute("INSERT INTO t SELECT generate_series(1, 100000)");
        server = serve(config, root.resolve("serve-3.log"));
        firstEnd = first.switchWal();
        secondEnd = second.switchWal();
        awaitArchived(repository, "first", firstEnd);
        awaitArchived(repository, "second", secondEnd);
        assertThat(repository.gaps("first")).isEmpty();
        assertThat(repository.gaps("second")).isEmpty();
        assertContinuous(repository, "first");
        server.destroy();
        assertThat(server.waitFor(45, TimeUnit.SECONDS)).isTrue();
    }

    static long completeFullBackups(Path catalogFile, String cluster) {
        try (Catalog catalog = Catalog.open(catalogFile)) {
            return catalog.backups().list(cluster).stream()
                    .filter(b -> b.kind() == BackupKind.FULL && b.status() == BackupStatus.COMPLETE).count();
        }
    }

    /** Child processes still to kill when the test ends, whatever its outcome. */
    private final List<Process> started = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void killServers() {
        started.forEach(Process::destroyForcibly);
    }

    Process serve(Path config, Path log) throws Exception {
        Process process = ServerProcess.start(config, log);
        started.add(process);
        return process;
    }

    static void awaitArchived(Repository repository, String cluster, Lsn lsn) {
        Awaitility.await(cluster + " archived through " + lsn).atMost(WAIT).ignoreExceptions().until(() -> repository.walSegments(cluster)
                .stream().anyMatch(w -> !w.partial() && !w.segment().endLsn().isBefore(lsn)));
    }

    /** Every segment from the first archived to the last is there, complete. */
    static void assertContinuous(Repository repository, String cluster) {
        List<Long> numbers = repository.walSegments(cluster).stream().filter(w -> !w.partial())
                .map(StoredWal::segment).map(s -> s.segmentNumber()).sorted().distinct().toList();
        assertThat(numbers).isNotEmpty();
        for (int i = 1; i < numbers.size(); i++) {
            assertThat(numbers.get(i)).as("segment after %d", numbers.get(i - 1)).isEqualTo(numbers.get(i - 1) + 1);
        }
    }
}
