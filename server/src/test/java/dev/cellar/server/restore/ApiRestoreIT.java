package dev.cellar.server.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.restore.export.RecoverySettings;
import dev.cellar.restore.postgres.FreePort;
import dev.cellar.server.daemon.ServerProcess;
import dev.cellar.server.packaging.PackagingPaths;
import dev.cellar.server.packaging.ScriptRun;
import dev.cellar.server.restore.BackupCtlRestoreIT.Outcome;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Restores from another host's point of view: {@code backupctl serve} as a child process, and
 * {@code backupctl} given only {@code --server} and {@code --token-file} (no configuration, no
 * repository), so everything goes through the admin API. A point-in-time restore written by the
 * server and started with pg_ctl; refusals that write nothing; a restore whose restore_command
 * fetches WAL through the API with the packaged launcher's {@code wal-get} and reaches the target;
 * {@code wal-get} of what the repository lacks.
 */
@EnabledIfSystemProperty(named = "cellar.dist.dir", matches = ".+", disabledReason = PackagingPaths.NEEDS_PACKAGE)
class ApiRestoreIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOKEN = "api-restore-token-8e41d0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RESTORE_FAILED = ErrorCode.RESTORE_FAILED.number();

    private final HttpClient http = HttpClient.newHttpClient();
    private Process server;
    private String base;
    private Path tokenFile;

    @AfterEach
    void killServer() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void restoresThroughTheApiAndFetchesWalThroughIt() throws Exception {
        assertThat(System.getenv("JAVA_HOME")).as("JAVA_HOME, which the restored server's restore_command needs to"
                + " run the launcher").isNotBlank();
        PgServer pg = PG.start(PgMajors.selected().getLast());
        Path root = TestRoot.newDirectory("api-restore");
        Path passwordFile = root.resolve("password");
        Files.writeString(passwordFile, TestCredentials.SCRAM_PASSWORD + "\n");
        tokenFile = root.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        // The restored server's restore_command reads it as the server user.
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-r--r--"));
        int port = FreePort.onLoopback();
        base = "http://127.0.0.1:" + port;
        Path config = root.resolve("cellar.yaml");
        Files.writeString(config, """
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                  token_file: %s
                defaults:
                  schedule: { full: off, incremental: off, verify: off }
                clusters:
                  - name: c1
                    conninfo: host=%s port=%d user=%s
                    password_file: %s
                """.formatted(root.resolve("repo"), port, tokenFile, pg.host(), pg.port(), TestCredentials.SCRAM_USER,
                passwordFile));
        Path log = root.resolve("serve.log");
        server = ServerProcess.start(config, log);
        try {
            drive(pg);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nserver log:\n" + Files.readString(log), e);
        }
        assertThat(Files.readString(log)).contains("restore job").doesNotContain(TOKEN);
        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
    }

    private void drive(PgServer pg) throws Exception {
        Awaitility.await("the WAL stream of c1").atMost(WAIT).ignoreExceptions()
                .until(() -> JSON.readTree(http("GET", "/health", null).body()).get("streaming").asInt() == 1);
        Outcome backup = backupctl("backup", "--cluster", "c1", "--wait", "--json");
        assertThat(backup.exitCode()).as(backup.err()).isZero();
        Awaitility.await("a restorable backup").atMost(WAIT).ignoreExceptions().until(() ->
                json(backupctl("status", "--json")).at("/clusters/0/lastRestorable/id").isTextual());
        String backupId = json(backupctl("status", "--json")).at("/clusters/0/lastRestorable/id").asText();

        pg.execute("CREATE TABLE api_restore AS SELECT generate_series(1, 100) AS i");
        Instant target = pg.clockTimestamp();
        Awaitility.await("the server clock moves past the target").atMost(WAIT)
                .until(() -> pg.clockTimestamp().isAfter(target));
        pg.execute("DELETE FROM api_restore WHERE i > 10");
        Lsn switched = pg.switchWal();
        Awaitility.await("WAL through " + switched + " archived").atMost(WAIT).ignoreExceptions().until(() -> {
            JsonNode wal = json(backupctl("wal-status", "--cluster", "c1", "--json"));
            return Lsn.parse(wal.get("timelines").get(0).get("endLsn").asText()).compareTo(switched) >= 0;
        });

        // The request as the API takes it: a dry run plans, a time without offset and a misspelt field are refused.
        HttpResponse<String> dry = http("POST", "/api/v1/clusters/c1/restores",
                "{\"targetTime\": \"" + target + "\", \"dryRun\": true}");
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        assertThat(JSON.readTree(dry.body()).at("/plan/backups/0").asText()).isEqualTo(backupId);
        HttpResponse<String> bare = http("POST", "/api/v1/clusters/c1/restores",
                "{\"targetTime\": \"2026-11-20 10:00:00\", \"dest\": \"/nowhere/data\"}");
        assertThat(bare.statusCode()).isEqualTo(400);
        assertThat(bare.body()).contains("has no offset");
        HttpResponse<String> misspelt = http("POST", "/api/v1/clusters/c1/restores",
                "{\"targetTim\": \"" + target + "\", \"dest\": \"/nowhere/data\"}");
        assertThat(misspelt.statusCode()).isEqualTo(400);
        assertThat(misspelt.body()).contains("unknown field \\\"targetTim\\\"");
        assertThat(Path.of("/nowhere")).doesNotExist();
        HttpResponse<String> unknown = http("POST", "/api/v1/clusters/zz/restores", "{\"dryRun\": true}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no cluster \\\"zz\\\" in the catalog");

        // A point-in-time restore through the API only: the server writes the directory.
        Path dest = TestRoot.newDirectory("api-restore-staged").resolve("data");
        Outcome restore = backupctl("restore", "--cluster", "c1", "--target-time", target.toString(), "--dest",
                dest.toString(), "--json");
        assertThat(restore.exitCode()).as(restore.err()).isZero();
        JsonNode document = json(restore);
        assertThat(document.at("/plan/backups/0").asText()).isEqualTo(backupId);
        assertThat(document.at("/result/destination").asText()).isEqualTo(dest.toString());
        assertThat(document.at("/result/settings/recovery_target_time").asText())
                .isEqualTo(RecoverySettings.targetTime(target));
        JsonNode job = JSON.readTree(http("GET", "/api/v1/clusters/c1/jobs?limit=1", null).body()).get(0);
        assertThat(job.get("type").asText()).isEqualTo("restore");
        assertThat(job.get("outcome").asText()).isEqualTo("succeeded");
        assertThat(job.at("/restore/result/destination").asText()).isEqualTo(dest.toString());
        try (RestoredServer restored = RestoredServer.start(pg, dest)) {
            assertThat(restored.queryLong("SELECT count(*) FROM api_restore")).isEqualTo(100);
        }

        // Refusals: the same exit code and message as a local restore, and nothing written.
        Path refused = TestRoot.newDirectory("api-restore-refused").resolve("data");
        Files.createDirectories(refused);
        Files.writeString(refused.resolve("PG_VERSION"), "mine");
        Outcome nonEmpty = backupctl("restore", "--cluster", "c1", "--dest", refused.toString());
        assertThat(nonEmpty.exitCode()).isEqualTo(RESTORE_FAILED);
        assertThat(nonEmpty.err()).contains("is not empty (it holds PG_VERSION)");
        assertThat(Files.readString(refused.resolve("PG_VERSION"))).isEqualTo("mine");
        try (var listing = Files.list(refused)) {
            assertThat(listing.count()).isOne();
        }
        Path early = refused.resolveSibling("early");
        Outcome beforeBackup = backupctl("restore", "--cluster", "c1", "--target-time", "2000-01-01 00:00:00+00",
                "--dest", early.toString());
        assertThat(beforeBackup.exitCode()).isEqualTo(RESTORE_FAILED);
        assertThat(beforeBackup.err()).contains("cannot restore to time", "recoverable on timeline 1");
        assertThat(early).doesNotExist();
        JsonNode newest = JSON.readTree(http("GET", "/api/v1/clusters/c1/jobs?limit=1", null).body()).get(0);
        assertThat(newest.get("id").asLong()).as("no job for a refused restore").isEqualTo(job.get("id").asLong());

        // WAL at recovery time through the API, fetched by the packaged launcher's wal-get.
        Path remote = TestRoot.newDirectory("api-restore-remote").resolve("data");
        Path launcher = PackagingPaths.distribution().resolve("bin/backupctl");
        ScriptRun remoteRestore = ScriptRun.run(List.of(launcher.toString(), "--server", base, "--token-file",
                tokenFile.toString(), "restore", "--cluster", "c1", "--target-time", target.toString(), "--dest",
                remote.toString(), "--remote-wal"), Map.of("JAVA_HOME", PackagingPaths.javaHome().toString(), "PATH",
                "/usr/bin:/bin"), TestRoot.newDirectory("api-restore-launch"));
        assertThat(remoteRestore.exitCode()).as(remoteRestore.stdout() + remoteRestore.stderr()).isZero();
        assertThat(remoteRestore.stdout()).contains("WAL fetched at recovery time", "on the server's machine");
        assertThat(remote.resolve(RecoverySettings.STAGED_WAL_DIRECTORY)).doesNotExist();
        assertThat(Files.readString(remote.resolve("postgresql.auto.conf"))).contains("restore_command = '''"
                + launcher + "'' --server ''" + base + "'' --token-file ''" + tokenFile
                + "'' wal-get --cluster ''c1'' %f %p'");
        try (RestoredServer restored = RestoredServer.start(pg, remote)) {
            assertThat(restored.queryLong("SELECT count(*) FROM api_restore")).isEqualTo(100);
        }

        // wal-get of what the repository lacks: 1, the end of the archive; anything else stops recovery.
        Path fetched = TestRoot.newDirectory("api-restore-wal").resolve("RECOVERYXLOG");
        Outcome missing = backupctl("wal-get", "--cluster", "c1", "0000000100000000000000FF", fetched.toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("0000000100000000000000FF is not in the repository of cluster c1");
        assertThat(fetched).doesNotExist();
        Outcome unknownCluster = backupctl("wal-get", "--cluster", "zz", "0000000100000000000000FF",
                fetched.toString());
        assertThat(unknownCluster.exitCode()).isEqualTo(255);
        assertThat(http("GET", "/api/v1/clusters/c1/wal/..%2Fcatalog.db", null).statusCode()).isEqualTo(400);
        String first = JSON.readTree(http("GET", "/api/v1/clusters/c1/wal", null).body()).at("/timelines/0/first")
                .asText();
        Outcome present = backupctl("wal-get", "--cluster", "c1", first, fetched.toString());
        assertThat(present.exitCode()).as(present.err()).isZero();
        assertThat(Files.size(fetched)).isEqualTo(16L << 20);
    }

    /** backupctl in this JVM with the server's address and token file only: it cannot read the repository. */
    private Outcome backupctl(String... args) {
        List<String> line = new ArrayList<>(List.of("--server", base, "--token-file", tokenFile.toString()));
        line.addAll(List.of(args));
        return BackupCtlRestoreIT.backupctl(line.toArray(String[]::new));
    }

    private static JsonNode json(Outcome outcome) throws Exception {
        return JSON.readTree(outcome.out());
    }

    private HttpResponse<String> http(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
