package dev.cellar.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer process killed with SIGKILL at random points of its puts never leaves a visible half
 * object, and the store reopens clean (no temporary file survives the next open).
 */
class LocalStoreCrashSafetyIT {
    private static final int KILLS = 60;

    @TempDir
    Path root;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void killedWritersNeverLeaveHalfObjects() throws Exception {
        SplittableRandom random = new SplittableRandom(20261121L);
        int killedMidPut = 0;
        for (int run = 0; run < KILLS; run++) {
            Process writer = startWriter(run);
            // Kill when the writer has announced a random number of puts: it is then inside the
            // put it just announced, at a point that depends on timing.
            int announcements = 1 + random.nextInt(5);
            String lastLine = readUntilBegins(writer, announcements);
            writer.destroyForcibly();
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).as("writer %d died", run).isTrue();
            if (lastLine.startsWith("begin")) {
                killedMidPut++;
            }

            LocalStore reopened = LocalStore.open(root);
            List<ObjectInfo> visible = reopened.listAll("").toList();
            for (ObjectInfo info : visible) {
                byte[] bytes;
                try (InputStream in = reopened.get(info.key())) {
                    bytes = in.readAllBytes();
                }
                assertThat(SelfDescribingContent.isWhole(bytes))
                        .as("object %s after kill %d is whole (%d bytes)", info.key(), run, bytes.length).isTrue();
                assertThat((long) bytes.length).isEqualTo(info.size());
            }
            assertThat(temporaryFiles()).as("temporary files after reopening, kill %d", run).isEmpty();
        }
        assertThat(killedMidPut).as("kills that landed inside a put").isGreaterThan(KILLS / 2);
        assertThat(LocalStore.open(root).listAll("objects/").count()).isPositive();
        assertThat(LocalStore.open(root).head(ObjectKey.of("replaced/r0"))).isPresent();
    }

    private Process startWriter(int run) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"),
                CrashingWriterMain.class.getName(), root.toString(), String.valueOf(run)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Reads the writer's lines until it has begun {@code count} puts; returns the last line read. */
    private static String readUntilBegins(Process writer, int count) throws IOException, InterruptedException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
        int begun = 0;
        String line = "";
        while (begun < count) {
            line = lines.readLine();
            if (line == null) {
                throw new IllegalStateException("writer exited early with " + writer.waitFor(Duration.ofSeconds(5).toMillis(),
                        TimeUnit.MILLISECONDS));
            }
            if (line.startsWith("begin")) {
                begun++;
            }
        }
        return line;
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().startsWith(ObjectKey.RESERVED_PREFIX)).toList();
        }
    }
}
