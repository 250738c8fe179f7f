package dev.cellar.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.restore.postgres.FreePort;
import dev.cellar.server.cli.BackupCtl;
import dev.cellar.server.daemon.BackupCtlRunner;
import dev.cellar.server.daemon.BackupCtlRunner.Outcome;
import dev.cellar.server.daemon.ServerProcess;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.RestoredServer;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.testkit.TestRoot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The product as a DBA drives it: {@code backupctl serve} as a child process with three clusters of
 * two majors, then only {@code backupctl} and the admin API — status, check, backup, list, show,
 * a point-in-time restore started with pg_ctl, keep, delete, wal-status — asserting their JSON, that
 * {@code /metrics} reflects the backups and the streams, that the API wants its token (and
 * {@code /health} does not), and that no output or log line holds a password or the token.
 */
class ServerEndToEndIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOKEN = "e2e-token-5b1f0c9d27a4";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Process> started = new ArrayList<>();
    /** Everything the CLI printed and the API answered, searched for secrets at the end. */
    private final StringBuilder seen = new StringBuilder();
    private final HttpClient http = HttpClient.newHttpClient();
    private Path config;
    private String base;

    @AfterEach
    void stopServer() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void aDbaDrivesThreeClustersThroughBackupctlAndTheApi() throws Exception {
        List<Integer> majors = PgMajors.selected();
        PgServer a = PG.start(majors.getFirst());
        PgServer b = PG.start(majors.getLast());
        PgServer c = PG.start(majors.getLast());
        Path root = TestRoot.newDirectory("e2e");
        Path passwordFile = root.resolve("password");
        Files.writeString(passwordFile, TestCredentials.SCRAM_PASSWORD + "\n");
        Path tokenFile = root.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        int port = FreePort.onLoopback();
        base = "http://127.0.0.1:" + port;
        config = root.resolve("cellar.yaml");
        StringBuilder clusters = new StringBuilder();
        for (var entry : List.of(List.of("a", a), List.of("b", b), List.of("c", c))) {
            PgServer server = (PgServer) entry.get(1);
            clusters.append("""
                      - name: %s
                        conninfo: host=%s port=%d user=%s
                        password_file: %s
                    """.formatted(entry.get(0), server.host(), server.port(), TestCredentials.SCRAM_USER, passwordFile));
        }
        Files.writeString(config, """
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                  token_file: %s
                defaults:
                  schedule: { full: off, incremental: off, verify: off }
                  retention: { min_full: 1 }
                clusters:
                %s""".formatted(root.resolve("repo"), port, tokenFile, clusters));
        Path log = root.resolve("serve.log");
        Process server = ServerProcess.start(config, log);
        started.add(server);
        try {
            drive(a, log);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nserver log:\n" + Files.readString(log), e);
        }

        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
        String everything = seen + Files.readString(log);
        assertThat(everything).doesNotContain(TestCredentials.SCRAM_PASSWORD).doesNotContain(TOKEN);
    }

    private void drive(PgServer a, Path log) throws Exception {
        // /health needs no token and says how the streams are.
        Awaitility.await("server answers /health").atMost(WAIT).ignoreExceptions()
                .until(() -> http(null, "GET", "/health").statusCode() == 200);
        Awaitility.await("all three streams streaming").atMost(WAIT).ignoreExceptions()
                .until(() -> JSON.readTree(http(null, "GET", "/health").body()).get("streaming").asInt() == 3);

        // Every other request needs the token.
        assertThat(http(null, "GET", "/api/v1/status").statusCode()).isEqualTo(401);
        assertThat(http("wrong-" + TOKEN, "GET", "/api/v1/status").statusCode()).isEqualTo(401);
        assertThat(http(null, "GET", "/metrics").statusCode()).isEqualTo(401);
        assertThat(http(TOKEN, "GET", "/api/v1/nothing-here").statusCode()).isEqualTo(404);
        assertThat(http(TOKEN, "GET", "/api/v1/clusters/zz/backups").statusCode()).isEqualTo(404);

        Outcome clusters = backupctl("list-clusters", "--json");
        assertThat(clusters.exitCode()).as(clusters.err()).isZero();
        assertThat(clusters.json().findValuesAsText("name")).containsExactly("a", "b", "c");

        // Before any backup, status and check report the problem and exit 1.
        Outcome before = backupctl("status", "--json");
        assertThat(before.exitCode()).isEqualTo(BackupCtl.FAILED);
        assertThat(before.json().get("clusters").get(0).get("problems").toString()).contains("no backup yet");
        Outcome failingCheck = backupctl("check", "--cluster", "a");
        assertThat(failingCheck.exitCode()).isEqualTo(BackupCtl.FAILED);
        assertThat(failingCheck.out()).contains("connection", "OK", "last backup", "FAILED", "hint:");

        // A backup of each, through the server.
        for (String cluster : List.of("a", "b", "c")) {
            Outcome backup = backupctl("backup", "--cluster", cluster, "--wait", "--json");
            assertThat(backup.exitCode()).as(backup.err()).isZero();
            assertThat(backup.json().get("outcome").asText()).isEqualTo("succeeded");
        }
        Outcome unknown = backupctl("backup", "--cluster", "zz");
        assertThat(unknown.exitCode()).isEqualTo(ErrorCode.CONFIG_INVALID.number());
        assertThat(unknown.err()).contains("no cluster \"zz\" in the server's configuration");

        String first = awaitRestorableBackups("a", 1).getFirst();
        awaitRestorableBackups("b", 1);
        awaitRestorableBackups("c", 1);
        Outcome show = backupctl("show-backup", first, "--json");
        assertThat(show.exitCode()).isZero();
        assertThat(show.json().get("backup").get("cluster").asText()).isEqualTo("a");
        assertThat(show.json().findValuesAsText("name")).contains("postgres");
        assertThat(show.json().get("chain").get(0).asText()).isEqualTo(first);

        Outcome check = backupctl("check", "--cluster", "a", "--json");
        assertThat(check.exitCode()).as(check.out()).isZero();
        assertThat(check.json().get("checks").findValuesAsText("name")).contains("connection",
                "replication privilege", "wal_level", "max_wal_senders", "replication slot", "WAL stream",
                "WAL arriving", "last backup", "WAL gaps", "disk space");
        Outcome status = backupctl("status", "--json");
        assertThat(status.exitCode()).as(status.out()).isZero();
        JsonNode statusA = status.json().get("clusters").get(0);
        assertThat(statusA.get("stream").get("state").asText()).isEqualTo("streaming");
        assertThat(statusA.get("lastRestorable").get("id").asText()).isEqualTo(first);
        assertThat(statusA.get("recoverable")).hasSize(1);
        assertThat(backupctl("status").out()).contains("CLUSTER", "streaming", first);

        // Point-in-time restore to a time between two changes, started with pg_ctl.
        a.execute("CREATE TABLE e2e AS SELECT generate_series(1, 100) AS i");
        Instant target = a.clockTimestamp();
        Awaitility.await("the server clock moves past the target").atMost(WAIT)
                .until(() -> a.clockTimestamp().isAfter(target));
        a.execute("DELETE FROM e2e WHERE i > 10");
        Lsn switched = a.switchWal();
        Awaitility.await("WAL through " + switched + " archived").atMost(WAIT).ignoreExceptions().until(() -> {
            JsonNode wal = backupctl("wal-status", "--cluster", "a", "--json").json();
            return Lsn.parse(wal.get("timelines").get(0).get("endLsn").asText()).compareTo(switched) >= 0;
        });
        Path dest = TestRoot.newDirectory("e2e-restore").resolve("data");
        Outcome restore = backupctl("restore", "--cluster", "a", "--target-time", target.toString(), "--dest",
                dest.toString());
        assertThat(restore.exitCode()).as(restore.err()).isZero();
        try (RestoredServer restored = RestoredServer.start(a, dest)) {
            assertThat(restored.queryLong("SELECT count(*) FROM e2e")).isEqualTo(100);
        }

        // Keep protects a backup from delete; released, a newer backup lets it go.
        assertThat(backupctl("keep", first, "--forever").exitCode()).isZero();
        Outcome kept = backupctl("delete", first);
        assertThat(kept.exitCode()).isEqualTo(ErrorCode.BACKUP_FAILED.number());
        assertThat(kept.err()).contains("is kept for ever", "keep " + first + " --release");
        assertThat(backupctl("list-backups", "--cluster", "a", "--json").json().get(0).get("keepForever").asBoolean())
                .isTrue();
        assertThat(backupctl("keep", first, "--release").exitCode()).isZero();
        Outcome second = backupctl("backup", "--cluster", "a", "--wait", "--json");
        assertThat(second.exitCode()).as(second.err()).isZero();
        awaitRestorableBackups("a", 2);
        Outcome delete = backupctl("delete", first, "--json");
        assertThat(delete.exitCode()).as(delete.err()).isZero();
        assertThat(delete.json().get("id").asText()).isEqualTo(first);
        JsonNode remaining = backupctl("list-backups", "--cluster", "a", "--json").json();
        assertThat(remaining).hasSize(1);
        assertThat(remaining.get(0).get("id").asText()).isNotEqualTo(first);
        assertThat(backupctl("show-backup", first).exitCode()).isEqualTo(ErrorCode.CATALOG_FAILED.number());

        // The metrics follow: two successful backups of a, streams up, lag reported.
        HttpResponse<String> metrics = http(TOKEN, "GET", "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        String text = metrics.body();
        assertThat(sample(text, "cellar_wal_streaming{cluster=\"a\"}")).isEqualTo(1.0);
        assertThat(sample(text, "cellar_wal_streaming{cluster=\"c\"}")).isEqualTo(1.0);
        assertThat(sample(text, "cellar_backup_jobs_total{cluster=\"a\",outcome=\"succeeded\"}")).isEqualTo(2.0);
        assertThat(sample(text, "cellar_backup_jobs_total{cluster=\"b\",outcome=\"succeeded\"}")).isEqualTo(1.0);
        assertThat(sample(text, "cellar_backup_last_success_bytes{cluster=\"a\"}")).isGreaterThan(1_000_000.0);
        assertThat(sample(text, "cellar_backup_last_success_age_seconds{cluster=\"a\"}")).isBetween(0.0, 600.0);
        assertThat(sample(text, "cellar_wal_lag_bytes{cluster=\"a\"}")).isGreaterThanOrEqualTo(0.0);
        assertThat(sample(text, "cellar_repository_bytes{cluster=\"a\",kind=\"wal\"}")).isGreaterThan(0.0);
        assertThat(sample(text, "cellar_backup_duration_seconds_count{cluster=\"a\"}")).isEqualTo(2.0);
        assertThat(text).contains("cellar_wal_lag_seconds{cluster=\"b\"}", "jvm_threads_live_threads");
    }

    private List<String> awaitRestorableBackups(String cluster, int count) {
        List<String> ids = new ArrayList<>();
        Awaitility.await(count + " restorable backup(s) of " + cluster).atMost(WAIT).ignoreExceptions().until(() -> {
            ids.clear();
            for (JsonNode backup : backupctl("list-backups", "--cluster", cluster, "--json").json()) {
                if (backup.get("restorable").asBoolean()) {
                    ids.add(backup.get("id").asText());
                }
            }
            return ids.size() == count;
        });
        return List.copyOf(ids);
    }

    private Outcome backupctl(String... args) {
        List<String> line = new ArrayList<>(List.of("--config", config.toString()));
        line.addAll(List.of(args));
        Outcome outcome = BackupCtlRunner.run(line);
        seen.append(outcome.out()).append(outcome.err());
        return outcome;
    }

    private HttpResponse<String> http(String token, String method, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        seen.append(response.body());
        return response;
    }

    /** The value of one sample line of the Prometheus text format. */
    static double sample(String exposition, String series) {
        Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        assertThat(matcher.find()).as("metric " + series + " in\n" + exposition).isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
