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
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code backupctl serve} as a child process with a configuration of two clusters of two majors and
 * the default schedules: the full backup a new cluster has missed runs at start and becomes
 * restorable once its WAL is archived; WAL of both clusters arrives in the repository; SIGTERM
 * stops it within a bounded time; a restart does not repeat the backup; after a kill -9 under load
 * and a restart, streaming resumes with no WAL gap, and a scheduled full backup whose time passed
 * while the server was down runs once (not again at the next start).
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
        String clusters = """
                clusters:
                  - name: first
                    conninfo: host=%s port=%d user=%s
                    password_file: %s
                    checkpoint: fast
                %s
                  - name: second
                    conninfo: host=%s port=%d user=%s
                    password_file: %s
                """;
        String server = """
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                """.formatted(repositoryPath, dev.cellar.restore.postgres.FreePort.onLoopback());
        Files.writeString(config, server + clusters.formatted(first.host(), first.port(), TestCredentials.SCRAM_USER,
                passwordFile, "", second.host(), second.port(), TestCredentials.SCRAM_USER, passwordFile));

        Process daemon = serve(config, root.resolve("serve-1.log"));
        Repository repository = new Repository(LocalStore.open(Files.createDirectories(repositoryPath)));
        Lsn firstEnd = first.switchWal();
        Lsn secondEnd = second.switchWal();
        awaitArchived(repository, "first", firstEnd);
        awaitArchived(repository, "second", secondEnd);
        Path catalogFile = repositoryPath.resolve("catalog.db");
        for (String cluster : List.of("first", "second")) {
            awaitShowingLog(cluster + ": the missed full backup ran at start and is restorable", root.resolve("serve-1.log"),
                    () -> completeFullBackups(catalogFile, cluster) == 1);
        }

        daemon.destroy(); // SIGTERM
        assertThat(daemon.waitFor(45, TimeUnit.SECONDS)).as("stopped on SIGTERM in time").isTrue();
        assertThat(Files.readString(root.resolve("serve-1.log"))).contains("a scheduled full backup was missed",
                "WAL streams flush and report", "stopped");

        // Restarted: streaming resumes where it stopped.
        first.execute("CREATE TABLE t AS SELECT generate_series(1, 10000) AS i");
        daemon = serve(config, root.resolve("serve-2.log"));
        firstEnd = first.switchWal();
        awaitArchived(repository, "first", firstEnd);
        assertThat(Files.readString(root.resolve("serve-2.log"))).doesNotContain("was missed");
        assertThat(completeFullBackups(catalogFile, "first")).isEqualTo(1);

        // kill -9 under load, then a restart: no WAL is lost, no gap, and a scheduled run whose time passed
        // while the server was down runs once. The schedule is a one-shot full backup of "first" two seconds
        // after the kill, written into the file meanwhile: what is missed depends only on the configuration and
        // the catalog at start (ScheduledBackups.missedRun), so the time needs no margin against a slow machine.
        first.execute("INSERT INTO t SELECT generate_series(1, 100000)");
        daemon.destroyForcibly();
        assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        ZonedDateTime fire = ZonedDateTime.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        String oneShot = "%d %d %d %d %d ? %d".formatted(fire.getSecond(), fire.getMinute(), fire.getHour(),
                fire.getDayOfMonth(), fire.getMonthValue(), fire.getYear());
        Files.writeString(config, server + clusters.formatted(first.host(), first.port(), TestCredentials.SCRAM_USER,
                passwordFile, "    schedule: {full: \"%s\", incremental: off}".formatted(oneShot), second.host(),
                second.port(), TestCredentials.SCRAM_USER, passwordFile));
        first.execute("INSERT INTO t SELECT generate_series(1, 100000)");
        Awaitility.await("the one-shot schedule's time " + fire + " passes while the server is down")
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> Instant.now().isAfter(fire.toInstant().plusMillis(200)));
        daemon = serve(config, root.resolve("serve-3.log"));
        firstEnd = first.switchWal();
        secondEnd = second.switchWal();
        awaitArchived(repository, "first", firstEnd);
        awaitArchived(repository, "second", secondEnd);
        assertThat(repository.gaps("first")).isEmpty();
        assertThat(repository.gaps("second")).isEmpty();
        assertContinuous(repository, "first");
        Path log3 = root.resolve("serve-3.log");
        awaitShowingLog("first: the full backup missed during the kill ran at restart", log3,
                () -> completeFullBackups(catalogFile, "first") == 2);
        assertThat(occurrences(Files.readString(log3), "cluster first: a scheduled full backup was missed")).isEqualTo(1);
        assertThat(Files.readString(log3)).doesNotContain("cluster second: a scheduled");
        daemon.destroy();
        assertThat(daemon.waitFor(45, TimeUnit.SECONDS)).isTrue();

        // Once only: another restart finds nothing missed, and the one-shot schedule that fires no more is no error.
        Path log4 = root.resolve("serve-4.log");
        daemon = serve(config, log4);
        awaitShowingLog("the fourth start completes", log4, () -> Files.readString(log4).contains("serving 2 cluster(s)"));
        daemon.destroy();
        assertThat(daemon.waitFor(45, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log4)).doesNotContain("was missed")
                .contains("cluster first: the full backup schedule \"" + oneShot + "\" fires no more");
        assertThat(completeFullBackups(catalogFile, "first")).isEqualTo(2);
        assertThat(completeFullBackups(catalogFile, "second")).isEqualTo(1);
    }

    static void awaitShowingLog(String alias, Path log, java.util.concurrent.Callable<Boolean> condition)
            throws java.io.IOException {
        try {
            Awaitility.await(alias).atMost(WAIT).ignoreExceptions().until(condition);
        } catch (RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nserver log:\n" + Files.readString(log), e);
        }
    }

    static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
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
