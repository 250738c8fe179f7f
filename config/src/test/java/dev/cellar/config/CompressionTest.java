package dev.cellar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import org.junit.jupiter.api.Test;

class CompressionTest {
    @Test
    void readsTheShortForms() {
        assertThat(Compression.parse("none")).isEqualTo(Compression.NONE);
        assertThat(Compression.parse("zstd")).isEqualTo(new Compression(Compression.Codec.ZSTD, 3, 0));
        assertThat(Compression.parse("zstd:22").shortForm()).isEqualTo("zstd:22");
    }

    @Test
    void rejectsUnknownCodecsAndLevelsOutOfRange() {
        assertThatThrownBy(() -> Compression.parse("gzip")).isInstanceOf(CellarException.class)
                .hasMessage("invalid compression 'gzip': expected none, zstd or zstd:N with N from 1 to 22");
        assertThatThrownBy(() -> Compression.parse("zstd:0"))
                .hasMessage("invalid compression 'zstd:0': level must be between 1 and 22");
        assertThatThrownBy(() -> Compression.parse("zstd:fast"))
                .hasMessage("invalid compression 'zstd:fast': level must be a whole number between 1 and 22");
        assertThatThrownBy(() -> new Compression(Compression.Codec.NONE, 3, 0))
                .hasMessage("invalid compression 'none': level and workers apply to zstd only");
        assertThatThrownBy(() -> new Compression(Compression.Codec.ZSTD, 3, 201))
                .hasMessage("invalid compression 'zstd': workers must be between 0 and 200, got 201");
    }
}
