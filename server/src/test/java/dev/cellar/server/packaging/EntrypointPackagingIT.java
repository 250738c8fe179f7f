package dev.cellar.server.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entry point outside Docker: {@code docker-entrypoint.sh serve} from the built
 * distribution runs the server on the file CELLAR_CONFIG names until SIGTERM, and refuses to start
 * without a configuration file.
 */
@EnabledIfSystemProperty(named = "cellar.dist.dir", matches = ".+", disabledReason = PackagingPaths.NEEDS_PACKAGE)
class EntrypointPackagingIT {
    @TempDir
    Path temp;

    private final Path entrypoint = PackagingPaths.distribution().resolve("bin/docker-entrypoint.sh");
    private Process server;

    @AfterEach
    void killServer() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void servesTheConfigurationUntilSigterm() throws Exception {
        int port;
        Path tokenFile = Files.writeString(temp.resolve("token"), "entrypoint-test-token\n");
        Path config = Files.writeString(temp.resolve("cellar.yaml"), """
                repository:
                  path: %s
                server:
                  listen: 127.0.0.1:%d
                  token_file: %s
                clusters: []
                """.formatted(temp.resolve("repository"), port = freePort(), tokenFile));
        Path log = temp.resolve("serve.log");
        ProcessBuilder builder = new ProcessBuilder(entrypoint.toString(), "serve").directory(temp.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("CELLAR_CONFIG", config.toString());
        builder.environment().put("JAVA_HOME", PackagingPaths.javaHome().toString());
        builder.environment().put("JAVA_OPTS", "-Xmx128m -Djava.io.tmpdir=" + temp);
        builder.environment().remove("CELLAR_LOG_FORMAT");
        builder.environment().remove("CELLAR_LOG_LEVEL");
        server = builder.start();

        Awaitility.await("the server says it is serving").atMost(Duration.ofSeconds(60))
                .failFast("the server ended", () -> !server.isAlive())
                .until(() -> Files.readString(log, StandardCharsets.UTF_8)
                        .contains("serving 0 cluster(s) from repository " + temp.resolve("repository")));

        // What the image's HEALTHCHECK asks, without a token.
        java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"catalogWritable\" : true").doesNotContain("entrypoint-test-token");

        server.destroy(); // SIGTERM: exec left the JVM in the script's place
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s of SIGTERM").isTrue();
        assertThat(server.exitValue()).as(Files.readString(log)).isIn(0, 143);
        assertThat(Files.readString(log)).contains("stopped");
        assertThat(temp.resolve("repository/catalog.db")).isRegularFile();
    }

    @Test
    void refusesToStartWithoutTheConfigurationFile() throws Exception {
        Path missing = temp.resolve("nowhere/cellar.yaml");

        ScriptRun run = ScriptRun.run(List.of(entrypoint.toString(), "serve"),
                Map.of("CELLAR_CONFIG", missing.toString(), "PATH", "/usr/bin:/bin",
                        "JAVA_HOME", PackagingPaths.javaHome().toString()), temp);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).startsWith("cellar: no configuration file at " + missing + ": ")
                .contains("CELLAR_CONFIG");
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
