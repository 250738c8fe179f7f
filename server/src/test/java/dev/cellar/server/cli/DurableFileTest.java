package dev.cellar.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.io.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wal-get leaves the whole, verified file at its target, or nothing at all. */
class DurableFileTest {
    @TempDir
    Path directory;

    @Test
    void writesTheFileWhenItsChecksumMatches() throws IOException {
        byte[] bytes = "segment".getBytes(StandardCharsets.US_ASCII);
        Path target = directory.resolve("RECOVERYXLOG");
        Files.writeString(target, "an older fetch");

        DurableFile.write(new ByteArrayInputStream(bytes), target, Sha256.hex(bytes));

        assertThat(target).hasBinaryContent(bytes);
        assertThat(directory).isDirectoryNotContaining("glob:**.cellar-tmp");
    }

    @Test
    void leavesNothingWhenTheChecksumDiffers() {
        Path target = directory.resolve("RECOVERYXLOG");
        String other = Sha256.hex(new byte[] {1});

        assertThatThrownBy(() -> DurableFile.write(new ByteArrayInputStream(new byte[] {2}), target, other))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
                    assertThat(e.getMessage()).startsWith("the 1 bytes received for RECOVERYXLOG have SHA-256 ")
                            .endsWith(", not " + other + " as announced");
                });
        assertThat(directory).isEmptyDirectory();
    }
}
