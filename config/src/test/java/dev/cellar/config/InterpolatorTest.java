package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpolatorTest {
    private final Interpolator interpolator = new Interpolator(SecretSource.of(
            Map.of("HOST", "pg1", "EMPTY", ""), Map.of()));

    @Test
    void replacesVariablesAndAppliesDefaultsAsAShellDoes() {
        assertThat(interpolator.interpolate("host=${HOST} port=${PORT:-5432}")).isEqualTo("host=pg1 port=5432");
        assertThat(interpolator.interpolate("${EMPTY:-fallback}")).isEqualTo("fallback");
        assertThat(interpolator.interpolate("${HOST:-unused}")).isEqualTo("pg1");
        assertThat(interpolator.interpolate("${EMPTY}")).isEmpty();
        assertThat(interpolator.interpolate("$${HOST} costs $5")).isEqualTo("${HOST} costs $5");
    }

    @Test
    void namesAnUnsetVariableAndAMalformedReference() {
        assertThatThrownBy(() -> interpolator.interpolate("${PGHOST}"))
                .hasMessage("environment variable 'PGHOST' is not set; set it, or give a default with ${PGHOST:-value}");
        assertThatThrownBy(() -> interpolator.interpolate("x ${HOST"))
                .hasMessage("unterminated '${' at character 3; close it with '}'");
        assertThatThrownBy(() -> interpolator.interpolate("${1X}"))
                .hasMessage("'${1X}' is not a valid environment variable reference; use letters, digits and '_',"
                        + " e.g. ${PGHOST} or ${PGHOST:-localhost}");
    }
}
