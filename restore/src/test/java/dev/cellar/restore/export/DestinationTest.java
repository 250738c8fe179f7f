package dev.cellar.restore.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A destination is checked the same before a restore is accepted (the API) and when it is claimed. */
class DestinationTest {
    @TempDir
    Path root;

    @Test
    void checkingWritesNothing() {
        Path absent = root.resolve("a/b/data");
        assertThat(Destination.check(absent, "the destination", "hint")).isFalse();
        assertThat(root.resolve("a")).doesNotExist();
    }

    @Test
    void anEmptyDirectoryExistsAndPasses() throws IOException {
        assertThat(Destination.check(Files.createDirectory(root.resolve("data")), "the destination", "hint")).isTrue();
    }

    @Test
    void aNonEmptyDirectoryOrAFileIsRefusedWithTheSameMessageAsWhenClaiming() throws IOException {
        Path data = Files.createDirectory(root.resolve("data"));
        Files.writeString(data.resolve("PG_VERSION"), "17");
        for (Runnable attempt : new Runnable[] {() -> Destination.check(data, "the destination", "restore elsewhere"),
                () -> Destination.claim(data, "the destination", "restore elsewhere")}) {
            assertThatThrownBy(attempt::run).isInstanceOfSatisfying(CellarException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
                assertThat(e.getMessage()).isEqualTo("the destination " + data + " is not empty (it holds PG_VERSION)");
                assertThat(e.hint()).contains("restore elsewhere");
            });
        }
        Path file = Files.writeString(root.resolve("file"), "x");
        assertThatThrownBy(() -> Destination.check(file, "the destination", "h"))
                .hasMessage("the destination " + file + " exists and is not a directory");
        assertThat(Files.readString(data.resolve("PG_VERSION"))).isEqualTo("17");
    }
}
