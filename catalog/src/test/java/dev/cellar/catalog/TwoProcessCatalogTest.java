package dev.cellar.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server and a {@code backupctl} command use one catalog file at the same time: another JVM
 * creates, migrates and writes the catalog while this one does the same, and neither may see
 * "database is locked".
 */
class TwoProcessCatalogTest {
    private static final int ROWS_PER_PROCESS = 150;
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void twoProcessesCreateWriteAndReadOneCatalogAtOnce() throws Exception {
        Path file = dir.resolve("catalog/cellar.db");
        Path childOutput = dir.resolve("child.out");
        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                CatalogWriterProcess.class.getName(),
                file.toString(), "2", "1", Integer.toString(ROWS_PER_PROCESS))
                .redirectErrorStream(true)
                .redirectOutput(childOutput.toFile())
                .start();
        try {
            CatalogWriterProcess.run(file, 1, 2, ROWS_PER_PROCESS);

            boolean exited = child.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            String output = Files.readString(childOutput, StandardCharsets.UTF_8);
            assertThat(exited).as("the writer process ended within %s; its output:%n%s", DEADLINE, output).isTrue();
            assertThat(child.exitValue()).as("the writer process's exit status; its output:%n%s", output).isZero();
            assertThat(output).doesNotContainIgnoringCase("database is locked").doesNotContain("SQLITE_BUSY");
        } finally {
            child.destroyForcibly();
        }

        try (Catalog catalog = Catalog.open(file)) {
            List<TimelineWalExtent> extents = catalog.wal().timelineExtents(CatalogFixtures.CLUSTER);
            assertThat(extents).extracting(TimelineWalExtent::segments)
                    .containsExactly((long) ROWS_PER_PROCESS, (long) ROWS_PER_PROCESS);
            assertThat(catalog.jobs().recent(CatalogFixtures.CLUSTER, 10 * ROWS_PER_PROCESS))
                    .hasSize(2 * (ROWS_PER_PROCESS - 1))
                    .allSatisfy(job -> assertThat(job.outcome()).isEqualTo(JobOutcome.SUCCEEDED));
            assertThat(catalog.clusters().list()).hasSize(1);
        }
    }
}
