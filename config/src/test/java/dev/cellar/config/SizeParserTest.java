package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizeParserTest {
    @Test
    void readsPostgresStyleUnitsAsPowersOf1024AndIecSynonyms() {
        assertThat(SizeParser.parse("512")).isEqualTo(512);
        assertThat(SizeParser.parse("512B")).isEqualTo(512);
        assertThat(SizeParser.parse("512kB")).isEqualTo(512 * 1024);
        assertThat(SizeParser.parse("100MB")).isEqualTo(100L * 1024 * 1024);
        assertThat(SizeParser.parse("2 GB")).isEqualTo(2L << 30);
        assertThat(SizeParser.parse("1TB")).isEqualTo(1L << 40);
        assertThat(SizeParser.parse("4KiB")).isEqualTo(4096);
        assertThat(SizeParser.parse("1mib")).isEqualTo(1L << 20);
        assertThat(SizeParser.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(SizeParser.parse("3TiB")).isEqualTo(3L << 40);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            100XB       | invalid size '100XB': unknown unit 'XB'; expected a whole number and a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 100MB
            1.5GiB      | invalid size '1.5GiB': expected a whole number and a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 100MB
            MB          | invalid size 'MB': expected a whole number and a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 100MB
            9999999TiB  | invalid size '9999999TiB': too large
            """)
    void rejectsWithTheExpectedForm(String text, String message) {
        assertThatThrownBy(() -> SizeParser.parse(text)).isInstanceOf(CellarException.class).hasMessage(message);
    }
}
