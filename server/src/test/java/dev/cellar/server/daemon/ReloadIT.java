package dev.cellar.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.restore.postgres.FreePort;
import dev.cellar.server.daemon.BackupCtlRunner.Outcome;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.testkit.TestRoot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Configuration reload of {@code backupctl serve}, run as a child process with one real cluster:
 * a second cluster added to the file and {@code backupctl reload} streams and backs up without a
 * restart (and the first takes a new backup setting without restarting its stream); the first
 * removed with SIGHUP, while a backup of it runs, the token rotated and a stream setting of the
 * second changed: the backup is cancelled, the first's stream stops and leaves its slot inactive on
 * PostgreSQL, its backups stay listed, and the second's stream restarts; a malformed file is
 * refused, naming key and line, and changes nothing.
 */
class ReloadIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOKEN = "reload-token-3f9a7c21";
    private static final String ROTATED = "reload-token-rotated-8e42b1d0";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Path root;
    private Path config;
    private Path tokenFile;
    private Path passwordFile;
    private int port;

    @AfterEach
    void stopServer() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void clustersAreAddedOnReloadRemovedOnSighupAndABadFileChangesNothing() throws Exception {
        List<Integer> majors = PgMajors.selected();
        PgServer one = PG.start(majors.getFirst());
        PgServer two = PG.start(majors.getLast());
        root = TestRoot.newDirectory("reload");
        passwordFile = root.resolve("password");
        Files.writeString(passwordFile, TestCredentials.SCRAM_PASSWORD + "\n");
        tokenFile = root.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        port = FreePort.onLoopback();
        config = root.resolve("cellar.yaml");
        writeConfig("", cluster("one", one, ""));
        Path log = root.resolve("serve.log");
        Process server = ServerProcess.start(config, log);
        started.add(server);
        try {
            drive(server, one, two, log);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nserver log:\n" + Files.readString(log), e);
        }
        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
    }

    private void drive(Process server, PgServer one, PgServer two, Path log) throws Exception {
        awaitHealth(1, 1);
        Outcome firstBackup = backupctl("backup", "--cluster", "one", "--wait", "--json");
        assertThat(firstBackup.exitCode()).as(firstBackup.err()).isZero();
        String backupOfOne = backupctl("list-backups", "--cluster", "one", "--json").json().get(0).get("id").asText();

        // Added to the file, then `backupctl reload`: the second cluster streams and is backed up.
        // One's backups are throttled to PostgreSQL's slowest rate, a setting its stream does not use.
        writeConfig("  max_concurrent_backups: 3\n", cluster("one", one, "    max_rate: 32kB\n")
                + cluster("two", two, "    schedule: { full: \"0 0 3 ? * SUN\" }\n"));
        Outcome added = backupctl("reload", "--json");
        assertThat(added.exitCode()).as(added.err()).isZero();
        assertThat(added.json().get("added").toString()).isEqualTo("[\"two\"]");
        assertThat(added.json().get("updated").toString()).isEqualTo("[\"one\"]");
        assertThat(added.json().get("restarted")).isEmpty();
        assertThat(added.json().get("details").get("one").asText()).startsWith("max_rate changed");
        assertThat(added.json().get("applied").toString()).isEqualTo("[\"server.max_concurrent_backups\"]");
        assertThat(added.json().get("needsRestart")).isEmpty();
        awaitHealth(2, 2);
        // Its schedule started as at start: the full backup a new cluster has missed runs at once.
        assertThat(awaitJobsEnded("two", 1)).containsExactly("succeeded");
        Outcome secondBackup = backupctl("backup", "--cluster", "two", "--wait", "--json");
        assertThat(secondBackup.exitCode()).as(secondBackup.err()).isZero();
        assertThat(secondBackup.json().get("outcome").asText()).isEqualTo("succeeded");
        assertThat(backupctl("list-backups", "--cluster", "two", "--json").json()).hasSize(2);
        Outcome table = backupctl("reload");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("CLUSTER", "one", "two", "unchanged");

        // A slow backup of one is running when one is removed from the file, two's stream settings
        // change and the token is rotated; then SIGHUP.
        long slowJob = backupctl("backup", "--cluster", "one", "--json").json().get("id").asLong();
        Awaitility.await("the slow backup of one transfers data").atMost(WAIT).ignoreExceptions().until(() -> backupctl(
                "status", "--json").json().get("clusters").get(0).get("runningBackup").get("bytesDone").asLong() > 0);
        Files.writeString(tokenFile, ROTATED + "\n");
        writeConfig("", cluster("two", two, "    schedule: { full: \"0 0 3 ? * SUN\" }\n    synchronous: true\n"));
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(server.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        Awaitility.await("reload after SIGHUP: the new token is taken and one is no longer configured")
                .atMost(WAIT).ignoreExceptions().until(() -> {
                    Outcome clusters = backupctl("list-clusters", "--json");
                    return clusters.exitCode() == 0 && !clusters.json().get(0).get("name").asText().equals("one")
                            && clusters.json().findValuesAsText("name").contains("one");
                });
        assertThat(http(TOKEN, "GET", "/api/v1/status").statusCode()).as("the old token").isEqualTo(401);
        JsonNode clusters = backupctl("list-clusters", "--json").json();
        assertThat(clusters.get(0).get("name").asText()).isEqualTo("two");
        assertThat(clusters.get(0).get("configured").asBoolean()).isTrue();
        assertThat(clusters.get(1).get("name").asText()).isEqualTo("one");
        assertThat(clusters.get(1).get("configured").asBoolean()).isFalse();
        assertThat(clusters.get(1).get("streamState").isNull()).isTrue();
        awaitHealth(1, 1);
        Awaitility.await("slot cellar_one inactive on its server").atMost(WAIT).until(() -> one.queryLong(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'cellar_one' AND NOT active") == 1);
        JsonNode cancelled = JSON.readTree(http(ROTATED, "GET", "/api/v1/jobs/" + slowJob).body());
        assertThat(cancelled.get("outcome").asText()).as(cancelled.toString()).isEqualTo("failed");
        assertThat(Files.readString(log)).contains("SIGHUP received",
                "cluster one: removed from the configuration: WAL stream stopped at",
                "running backup (job " + slowJob + ") cancelled",
                "cluster two: synchronous changed; WAL stream stopped at", "configuration reloaded: added [],"
                + " removed [one], restarted [two], updated [], unchanged []");
        JsonNode backupsOfOne = backupctl("list-backups", "--cluster", "one", "--json").json();
        assertThat(backupsOfOne).hasSize(1);
        assertThat(backupsOfOne.get(0).get("id").asText()).isEqualTo(backupOfOne);
        JsonNode status = backupctl("status", "--json").json();
        assertThat(status.get("clusters").get(1).get("problems").toString())
                .contains("not in the configuration any more");
        String metrics = http(ROTATED, "GET", "/metrics").body();
        assertThat(metrics).contains("cellar_wal_streaming{cluster=\"two\"} 1.0")
                .doesNotContain("cluster=\"one\"");

        // A malformed file: refused with its key and line, and nothing changes.
        writeConfig("", cluster("two", two, "    synchronus: true\n"));
        Outcome refused = backupctl("--server", "http://127.0.0.1:" + port, "--token-file", tokenFile.toString(),
                "reload");
        assertThat(refused.exitCode()).isEqualTo(ErrorCode.CONFIG_INVALID.number());
        assertThat(refused.err()).contains("ERROR: [020]", "clusters[0].synchronus: line 13, column 5");
        HttpResponse<String> answer = http(ROTATED, "POST", "/api/v1/reload");
        assertThat(answer.statusCode()).isEqualTo(422);
        JsonNode problem = JSON.readTree(answer.body()).get("problems").get(0);
        assertThat(problem.get("path").asText()).isEqualTo("clusters[0].synchronus");
        assertThat(problem.get("line").asInt()).isEqualTo(13);
        Outcome locally = backupctl("reload");
        assertThat(locally.exitCode()).as("--config reads the malformed file itself")
                .isEqualTo(ErrorCode.CONFIG_INVALID.number());
        assertThat(locally.err()).contains("clusters[0].synchronus: line 13");
        assertThat(Files.readString(log)).contains("configuration reload refused; the running configuration stays");
        awaitHealth(1, 1);
        Repository repository = new Repository(LocalStore.open(root.resolve("repo")));
        Lsn end = two.switchWal();
        Awaitility.await("two still archives WAL through " + end).atMost(WAIT).ignoreExceptions()
                .until(() -> repository.walSegments("two").stream()
                        .anyMatch(w -> !w.partial() && !w.segment().endLsn().isBefore(end)));
    }

    private void writeConfig(String serverExtra, String clusters) throws Exception {
        // Line numbers matter: the malformed file's bad key is on line 13.
        Files.writeString(config, """
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                  token_file: %s
                %sdefaults:
                  schedule: { full: off, incremental: off, verify: off }
                  retention: { min_full: 1 }
                clusters:
                %s""".formatted(root.resolve("repo"), port, tokenFile, serverExtra, clusters));
    }

    private String cluster(String name, PgServer server, String extra) {
        return """
                  - name: %s
                    conninfo: host=%s port=%d user=%s
                    password_file: %s
                """.formatted(name, server.host(), server.port(), TestCredentials.SCRAM_USER, passwordFile) + extra;
    }

    private void awaitHealth(int clusters, int streaming) {
        Awaitility.await(clusters + " cluster(s), " + streaming + " streaming").atMost(WAIT).ignoreExceptions()
                .until(() -> {
                    JsonNode health = JSON.readTree(http(null, "GET", "/health").body());
                    return health.get("clusters").asInt() == clusters && health.get("streaming").asInt() == streaming;
                });
    }

    /** Waits until {@code cluster} has {@code count} jobs, none running; returns their outcomes. */
    private List<String> awaitJobsEnded(String cluster, int count) {
        List<String> outcomes = new ArrayList<>();
        Awaitility.await(count + " ended job(s) of " + cluster).atMost(WAIT).ignoreExceptions().until(() -> {
            outcomes.clear();
            JSON.readTree(http(currentToken(), "GET", "/api/v1/clusters/" + cluster + "/jobs").body())
                    .forEach(job -> outcomes.add(job.get("outcome").asText()));
            return outcomes.size() == count && !outcomes.contains("running");
        });
        return List.copyOf(outcomes);
    }

    private String currentToken() throws Exception {
        return Files.readString(tokenFile).strip();
    }

    private Outcome backupctl(String... args) {
        List<String> line = new ArrayList<>();
        if (!args[0].startsWith("--")) {
            line.addAll(List.of("--config", config.toString()));
        }
        line.addAll(List.of(args));
        return BackupCtlRunner.run(line);
    }

    private HttpResponse<String> http(String token, String method, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
