package dev.cellar.server.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.ErrorCode;
import dev.cellar.testkit.TestRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The README's first command, as a user runs it: the packaged {@code backupctl quickstart --once}
 * with nothing but a JDK — the bundled PostgreSQL binaries come from the distribution's pgdist/.
 * It must show the restored data as at the target and leave nothing running.
 */
@EnabledIfSystemProperty(named = "cellar.dist.dir", matches = ".+", disabledReason = PackagingPaths.NEEDS_PACKAGE)
class QuickstartIT {

    @Test
    void quickstartBacksUpStreamsAndRestoresToAPointInTime() throws Exception {
        Path work = TestRoot.newDirectory("quickstart");
        Path demo = work.resolve("demo");
        Path launcher = PackagingPaths.distribution().resolve("bin/backupctl");
        Map<String, String> environment = Map.of("JAVA_HOME", PackagingPaths.javaHome().toString(),
                "PATH", "/usr/bin:/bin", "TMPDIR", work.toString(), "JAVA_OPTS", "-Djava.io.tmpdir=" + work);

        Run first = run(List.of(launcher.toString(), "quickstart", "--once", "--dir", demo.toString()), environment,
                work);
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("1. Starting a throwaway PostgreSQL 17", "4. Taking a base backup",
                "streaming WAL through the physical replication slot cellar_demo",
                "demo_orders has 1500 rows (the original now has 100)", "Done: the data is back as it was at");
        assertThat(demo.resolve("restore/data/postgresql.auto.conf")).isRegularFile();
        assertThat(demo.resolve("restore/data/postmaster.pid")).as("the restored server was stopped").doesNotExist();
        assertThat(demo.resolve("postgres/data/postmaster.pid")).as("the source server was stopped").doesNotExist();
        assertThat(Files.readString(demo.resolve("cellar/cellar.yaml"))).contains("password_file:", "token_file:")
                .doesNotContain(Files.readString(demo.resolve("cellar/password")).strip());

        // A second run refuses the used directory before starting anything.
        Run again = run(List.of(launcher.toString(), "quickstart", "--once", "--dir", demo.toString()), environment,
                work);
        assertThat(again.exitCode()).isEqualTo(ErrorCode.INVALID_VALUE.number());
        assertThat(again.output()).contains("is not empty", "--dir");
    }

    record Run(int exitCode, String output) {
    }

    private static Run run(List<String> command, Map<String, String> environment, Path work) throws Exception {
        Path log = Files.createTempFile(work, "quickstart", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the quickstart did not end within 5 minutes:\n" + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
