package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/config-reference.md is generated from the schema, so the documentation cannot drift from
 * the code. When the schema changes, regenerate it with
 * {@code mvn -pl config test -Dtest=ConfigReferenceDocumentTest -Dcellar.docs.update=true}.
 */
class ConfigReferenceDocumentTest {
    private static final Path DOCUMENT = Path.of("..", "docs", "config-reference.md");

    static String expected() {
        return ConfigReference.markdown();
    }

    @Test
    void documentMatchesTheSchema() throws IOException {
        String expected = expected();
        if (Boolean.getBoolean("cellar.docs.update")) {
            Files.writeString(DOCUMENT, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOCUMENT, StandardCharsets.UTF_8))
                .as("docs/config-reference.md is out of date; regenerate it (see this test's Javadoc)")
                .isEqualTo(expected);
    }
}
