package dev.cellar.storage.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CodecTest {
    @Test
    void parsesTheSameFormsAsTheCompressionSetting() {
        assertThat(Codec.parse("none")).isEqualTo(Codec.NONE);
        assertThat(Codec.parse("zstd")).isEqualTo(new Codec.Zstd(3, 0));
        assertThat(Codec.parse("zstd:1")).isEqualTo(new Codec.Zstd(1, 0));
        assertThat(Codec.parse("zstd:22")).isEqualTo(new Codec.Zstd(22, 0));
    }

    @Test
    void specIsWhatParseReads() {
        assertThat(Codec.NONE.spec()).isEqualTo("none");
        assertThat(new Codec.Zstd(19, 2).spec()).isEqualTo("zstd:19");
        assertThat(Codec.parse(new Codec.Zstd(6, 4).spec())).isEqualTo(new Codec.Zstd(6, 0));
        assertThat(new Codec.Zstd(3, 0).withWorkers(2)).isEqualTo(new Codec.Zstd(3, 2));
        assertThat(Codec.NONE.fileSuffix()).isEmpty();
        assertThat(new Codec.Zstd(3, 0).fileSuffix()).isEqualTo(".zst");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "gzip", "zstd:", "zstd:0", "zstd:23", "zstd:-1", "zstd:3:2", "ZSTD:3", "zstd: 3"})
    void refusesAnythingElseNamingTheAcceptedForms(String text) {
        assertThatThrownBy(() -> Codec.parse(text))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid codec '" + text + "': expected none, zstd or zstd:N with N from 1 to 22")
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.INVALID_VALUE));
    }

    @Test
    void zstdParametersAreChecked() {
        assertThatThrownBy(() -> new Codec.Zstd(0, 0)).hasMessage("invalid zstd level 0: it must be between 1 and 22");
        assertThatThrownBy(() -> new Codec.Zstd(3, 201)).hasMessage("invalid zstd workers 201: it must be between 0 and 200");
        assertThatThrownBy(() -> new Codec.Zstd(3, -1)).hasMessage("invalid zstd workers -1: it must be between 0 and 200");
    }

    static Stream<Codec> codecs() {
        return Stream.of(Codec.NONE, new Codec.Zstd(1, 0), new Codec.Zstd(3, 0), new Codec.Zstd(19, 0), new Codec.Zstd(3, 2));
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void emptyInputRoundTrips(Codec codec) throws IOException {
        assertThat(roundTrip(codec, new byte[0])).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void smallInputRoundTrips(Codec codec) throws IOException {
        byte[] input = "hello, cellar".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(roundTrip(codec, input)).isEqualTo(input);
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void tenMegabytesOfRandomAndCompressibleDataRoundTrip(Codec codec) throws IOException {
        byte[] input = mixed(10 * 1024 * 1024, 42);

        byte[] encoded = encode(codec, input);

        assertThat(decode(codec, encoded)).isEqualTo(input);
        if (codec instanceof Codec.Zstd) {
            assertThat(encoded.length).isLessThan(input.length * 3 / 4);
        }
    }

    @Test
    void higherLevelsCompressBetter() throws IOException {
        byte[] input = mixed(4 * 1024 * 1024, 7);

        assertThat(encode(new Codec.Zstd(19, 0), input).length).isLessThan(encode(new Codec.Zstd(1, 0), input).length);
    }

    @Test
    void workersProduceAFrameAnyDecoderReads() throws IOException {
        byte[] input = mixed(10 * 1024 * 1024, 9);

        byte[] parallel = encode(new Codec.Zstd(3, 2), input);

        assertThat(decode(new Codec.Zstd(19, 0), parallel)).isEqualTo(input);
    }

    @Test
    void aTruncatedZstdStreamFailsToDecode() throws IOException {
        Codec zstd = new Codec.Zstd(3, 0);
        byte[] encoded = encode(zstd, mixed(100_000, 3));

        assertThatThrownBy(() -> decode(zstd, Arrays.copyOf(encoded, encoded.length - 1))).isInstanceOf(IOException.class);
    }

    static byte[] roundTrip(Codec codec, byte[] input) throws IOException {
        return decode(codec, encode(codec, input));
    }

    static byte[] encode(Codec codec, byte[] input) throws IOException {
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        try (OutputStream encoder = codec.wrap(stored)) {
            // Odd-sized writes, as a stream would deliver them.
            for (int i = 0; i < input.length; i += 100_003) {
                encoder.write(input, i, Math.min(100_003, input.length - i));
            }
        }
        return stored.toByteArray();
    }

    static byte[] decode(Codec codec, byte[] stored) throws IOException {
        try (InputStream decoder = codec.wrap(new ByteArrayInputStream(stored))) {
            return decoder.readAllBytes();
        }
    }

    /** Half random, half repetitive text: compressible about 2x. */
    static byte[] mixed(int size, long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[size];
        byte[] phrase = "INSERT INTO t VALUES (42, 'cellar');\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i += 4096) {
            int n = Math.min(4096, size - i);
            if (random.nextBoolean()) {
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, bytes, i, n);
            } else {
                for (int j = 0; j < n; j++) {
                    bytes[i + j] = phrase[j % phrase.length];
                }
            }
        }
        return bytes;
    }
}
