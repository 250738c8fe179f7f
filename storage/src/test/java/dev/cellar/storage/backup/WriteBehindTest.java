package dev.cellar.storage.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteBehindTest {
    @TempDir
    Path temp;

    @Test
    void aFailedEarlyFlushFailsTheFileAndTheExtraction() throws IOException {
        Path good = Files.writeString(temp.resolve("good"), "bytes");
        Path gone = temp.resolve("gone"); // its flush cannot even open it
        try (WriteBehind writeBehind = new WriteBehind(4)) {
            writeBehind.wrote(good, 5);
            writeBehind.wrote(gone, 5);
            Awaitility.await("the early flush of " + gone + " ran and failed").atMost(Duration.ofSeconds(10))
                    .until(() -> {
                        try {
                            writeBehind.check();
                            return false;
                        } catch (IOException e) {
                            return true;
                        }
                    });
            assertThatCode(() -> writeBehind.completed(good)).doesNotThrowAnyException();
            assertThatThrownBy(() -> writeBehind.completed(gone)).isInstanceOf(IOException.class)
                    .hasMessageContaining("flushing it to disk failed");
        }
    }

    @Test
    void belowTheThresholdNothingIsFlushed() throws IOException {
        Path gone = temp.resolve("gone");
        try (WriteBehind writeBehind = new WriteBehind(1024)) {
            writeBehind.wrote(gone, 1000);
            writeBehind.completed(gone); // would throw had a flush of it run and failed
        }
        assertThat(Files.exists(gone)).isFalse();
    }
}
