package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationParserTest {
    @Test
    void readsEachUnit() {
        assertThat(DurationParser.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationParser.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(DurationParser.parse("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(DurationParser.parse("14d")).isEqualTo(Duration.ofDays(14));
        assertThat(DurationParser.parse("2w")).isEqualTo(Duration.ofDays(14));
        assertThat(DurationParser.parse("0d")).isEqualTo(Duration.ZERO);
        assertThat(DurationParser.parse(" 3 h ")).isEqualTo(Duration.ofHours(3));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            14          | invalid duration '14': missing unit; expected a whole number followed by s, m, h, d or w, e.g. 14d
            14days      | invalid duration '14days': unknown unit 'days'; expected a whole number followed by s, m, h, d or w, e.g. 14d
            1.5d        | invalid duration '1.5d': expected a whole number followed by s, m, h, d or w, e.g. 14d
            -1d         | invalid duration '-1d': expected a whole number followed by s, m, h, d or w, e.g. 14d
            99999999999999999999w | invalid duration '99999999999999999999w': too large
            """)
    void rejectsWithTheExpectedForm(String text, String message) {
        assertThatThrownBy(() -> DurationParser.parse(text)).isInstanceOf(CellarException.class).hasMessage(message);
    }
}
