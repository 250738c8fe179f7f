package dev.cellar.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.core.Lsn;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.testkit.TestRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No secret ever appears in what the server writes. {@code backupctl serve} runs as a child process
 * with the shipped logback.xml at DEBUG in the JSON format, passwords and the API token given in
 * files: one cluster streams WAL and takes a scheduled full backup, another has a wrong password
 * and fails both. Then neither password nor the token may be in the server's output or in any file
 * under the repository, its temporary directory or the test's directory (the secret files aside).
 * Backups are stored uncompressed so that a secret copied into the repository would be found.
 *
 * <p>The same run shows that log lines carry the cluster they are about (MDC key {@code cluster})
 * from the WAL stream threads and from scheduled backups.
 */
@EnabledIfSystemProperty(named = "cellar.pg.dist", matches = ".+",
        disabledReason = "needs the PostgreSQL binaries Maven copies in pre-integration-test (Failsafe)")
class SecretFreeLogsIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Process server;

    @AfterEach
    void killServer() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void neitherPasswordsNorTheTokenAppearInTheOutputOrInAnyFile() throws Exception {
        PgServer pg = PG.start(PgMajors.selected().getLast());
        Path root = TestRoot.newDirectory("secret-free-logs");
        Path secretsDir = Files.createDirectories(root.resolve("secrets"));
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("the replication password", TestCredentials.SCRAM_PASSWORD);
        secrets.put("the wrong password", "wrong-pass-" + UUID.randomUUID());
        secrets.put("the API token", "api-token-" + UUID.randomUUID());
        Path goodPassword = Files.writeString(secretsDir.resolve("good-password"), TestCredentials.SCRAM_PASSWORD + "\n");
        Path wrongPassword = Files.writeString(secretsDir.resolve("wrong-password"), secrets.get("the wrong password") + "\n");
        Path token = Files.writeString(secretsDir.resolve("token"), secrets.get("the API token") + "\n");
        Path repositoryPath = root.resolve("repository");
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Path config = Files.writeString(root.resolve("cellar.yaml"), """
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                  token_file: %s
                defaults:
                  compression: none
                  schedule:
                    full: "*/2 * * * * ?"
                    incremental: off
                    verify: off
                clusters:
                  - name: good
                    conninfo: host=%s port=%d user=%s
                    password_file: %s
                  - name: bad
                    conninfo: host=%s port=%d user=%s
                    password_file: %s
                """.formatted(repositoryPath, freePort(), token, pg.host(), pg.port(), TestCredentials.SCRAM_USER,
                goodPassword, pg.host(), pg.port(), TestCredentials.SCRAM_USER, wrongPassword));
        Path output = root.resolve("serve.out");

        server = serve(config, tmp, output);
        Repository repository = new Repository(LocalStore.open(Files.createDirectories(repositoryPath)));
        Lsn end = pg.switchWal();
        awaitOrShowOutput(output, "WAL of cluster good archived through " + end, () -> repository.walSegments("good")
                .stream().anyMatch(w -> !w.partial() && !w.segment().endLsn().isBefore(end)));
        awaitOrShowOutput(output, "a complete full backup of cluster good",
                () -> completeFullBackups(repositoryPath.resolve("catalog.db"), "good") > 0);
        awaitOrShowOutput(output, "cluster bad failed to stream and to back up, each saying so in a line tagged bad",
                () -> anyEvent(output, e -> cluster(e).equals("bad") && message(e).contains("needs attention"))
                        && anyEvent(output, e -> cluster(e).equals("bad")
                        && message(e).contains("scheduled backup failed")));
        assertThat(anyEvent(output, e -> cluster(e).equals("good") && e.path("threadName").asText().equals("wal-good")))
                .as("the WAL stream thread tags its lines with its cluster").isTrue();
        assertThat(anyEvent(output, e -> cluster(e).equals("good")
                && message(e).startsWith("cluster good: scheduled full backup: Taken")))
                .as("a scheduled backup tags its lines with its cluster").isTrue();

        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();

        assertThat(filesHolding(secretsDir, secrets)).as("the scan finds secrets where they are")
                .hasSize(secrets.size());
        List<String> leaks = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(secretsDir)).toList()) {
                scan(file, secrets).forEach(secret -> leaks.add(secret + " in " + file));
            }
        }
        assertThat(Files.size(output)).as("the server's output").isPositive();
        assertThat(leaks).as("secrets written by the server").isEmpty();
    }

    /**
     * The server as a child process, like ServeIT, but with the shipped logback.xml instead of the
     * test kit's logback-test.xml, JSON lines at DEBUG, and temporary files in {@code tmp}.
     */
    private static Process serve(Path config, Path tmp, Path output) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-Djava.io.tmpdir=" + tmp,
                "-Dlogback.configurationFile=" + LogFormatTest.shippedConfiguration(),
                "-cp", System.getProperty("java.class.path"),
                "dev.cellar.server.cli.BackupCtl", "--config", config.toString(), "serve");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("CELLAR_LOG_FORMAT", "json");
        builder.environment().put("CELLAR_LOG_LEVEL", "DEBUG");
        return builder.start();
    }

    private void awaitOrShowOutput(Path output, String what, Callable<Boolean> condition)
            throws IOException {
        try {
            Awaitility.await(what).atMost(WAIT).ignoreExceptions()
                    .failFast("the server ended", () -> !server.isAlive()).until(condition);
        } catch (RuntimeException | AssertionError e) {
            List<String> lines = Files.readAllLines(output);
            throw new AssertionError(e.getMessage() + "\nlast lines of the server's output:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())), e);
        }
    }

    /** Whether a JSON line of the server's output matches; other lines (a JVM's warning) are skipped. */
    private static boolean anyEvent(Path output, Predicate<JsonNode> matches) throws IOException {
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            if (line.startsWith("{") && matches.test(JSON.readTree(line))) {
                return true;
            }
        }
        return false;
    }

    private static String cluster(JsonNode event) {
        return event.path("mdc").path("cluster").asText();
    }

    private static String message(JsonNode event) {
        return event.path("formattedMessage").asText();
    }

    private static long completeFullBackups(Path catalogFile, String cluster) {
        try (Catalog catalog = Catalog.open(catalogFile)) {
            return catalog.backups().list(cluster).stream()
                    .filter(b -> b.kind() == BackupKind.FULL && b.status() == BackupStatus.COMPLETE).count();
        }
    }

    private static List<String> filesHolding(Path directory, Map<String, String> secrets) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> !scan(file, secrets).isEmpty()).map(Path::toString).toList();
        }
    }

    /** The names of the secrets whose UTF-8 bytes occur in {@code file}. */
    private static List<String> scan(Path file, Map<String, String> secrets) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + file, e);
        }
        List<String> found = new ArrayList<>();
        secrets.forEach((name, value) -> {
            if (indexOf(content, value.getBytes(StandardCharsets.UTF_8)) >= 0) {
                found.add(name);
            }
        });
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
