package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/errors.md lists every code with its number; numbers are unique and usable as exit codes. */
class ErrorCodeDocumentTest {
    @Test
    void everyCodeIsDocumentedWithItsNumber() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "errors.md"), StandardCharsets.UTF_8);
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(doc).as("docs/errors.md row of " + code)
                    .contains("| " + code.number() + " | `" + code.name() + "` |");
        }
    }

    @Test
    void numbersAreUniqueAndFitAnExitStatus() {
        Set<Integer> numbers = Arrays.stream(ErrorCode.values()).map(ErrorCode::number).collect(Collectors.toSet());
        assertThat(numbers).hasSize(ErrorCode.values().length).allMatch(n -> n > 1 && n < 126);
    }

    @Test
    void describeShowsCodeMessageAndHint() {
        CellarException e = new CellarException(ErrorCode.CONFIG_INVALID, "cellar.yaml: bad", "fix it");
        assertThat(e.describe()).isEqualTo("ERROR: [020]: cellar.yaml: bad" + System.lineSeparator() + "HINT: fix it");
        assertThat(new CellarException(ErrorCode.WAL_GAP, "gap").describe()).isEqualTo("ERROR: [041]: gap");
        assertThat(new CellarException(ErrorCode.CONNECTION_FAILED, "x").isRetryable()).isTrue();
        assertThat(new CellarException(ErrorCode.AUTHENTICATION_FAILED, "x").isRetryable()).isFalse();
    }
}
