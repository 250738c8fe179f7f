package dev.cellar.storage.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChecksumStreamsTest {
    private static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void inputStreamChecksumsWhatPassesIncludingSkippedBytes() throws IOException {
        try (ChecksummingInputStream in = new ChecksummingInputStream(new ByteArrayInputStream(bytes("abc")))) {
            assertThat(in.sha256Hex()).isEqualTo(EMPTY_SHA256);
            assertThat(in.read()).isEqualTo('a');
            assertThat(in.skip(1)).isEqualTo(1);
            assertThat(in.readAllBytes()).isEqualTo(bytes("c"));
            assertThat(in.count()).isEqualTo(3);
            assertThat(in.sha256Hex()).isEqualTo(ABC_SHA256).isEqualTo(in.sha256Hex());
        }
    }

    @Test
    void outputStreamChecksumsWhatPasses() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (ChecksummingOutputStream out = new ChecksummingOutputStream(sink)) {
            out.write('a');
            out.write(bytes("xbcx"), 1, 2);
            assertThat(out.count()).isEqualTo(3);
            assertThat(out.sha256Hex()).isEqualTo(ABC_SHA256);
        }
        assertThat(sink.toByteArray()).isEqualTo(bytes("abc"));
    }

    @Test
    void expectedSizeStreamFailsOnEitherSide() throws IOException {
        try (ExpectedSizeInputStream exact = new ExpectedSizeInputStream(new ByteArrayInputStream(bytes("abc")), 3)) {
            assertThat(exact.readAllBytes()).isEqualTo(bytes("abc"));
        }
        assertThatThrownBy(() -> new ExpectedSizeInputStream(new ByteArrayInputStream(bytes("ab")), 3).readAllBytes())
                .isInstanceOf(ContentMismatchException.class)
                .hasMessage("the stream ended after 2 bytes, 3 were expected");
        assertThatThrownBy(() -> new ExpectedSizeInputStream(new ByteArrayInputStream(bytes("abcd")), 3).readAllBytes())
                .isInstanceOf(ContentMismatchException.class)
                .hasMessage("the stream yielded more than the expected 3 bytes");
    }

    @Test
    void limitedStreamStopsAtItsLimit() throws IOException {
        try (LimitedInputStream in = new LimitedInputStream(new ByteArrayInputStream(bytes("abcdef")), 4)) {
            assertThat(in.read()).isEqualTo('a');
            assertThat(in.readAllBytes()).isEqualTo(bytes("bcd"));
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
