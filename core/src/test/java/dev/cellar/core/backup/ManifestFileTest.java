package dev.cellar.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManifestFileTest {

    private static final Instant TIME = Instant.parse("2026-11-21T10:00:00Z");

    private static ManifestFile file(String path) {
        return ManifestFile.of(path, 1, TIME, ChecksumAlgorithm.NONE, "");
    }

    @Test
    void aUtf8NameHasNoRawPath() {
        ManifestFile file = ManifestFile.ofBytes("base/5/\u00e9".getBytes(StandardCharsets.UTF_8), 1, TIME,
                ChecksumAlgorithm.NONE, "");
        assertThat(file.path()).isEqualTo("base/5/\u00e9");
        assertThat(file.rawPath()).isNull();
        assertThat(file).isEqualTo(file("base/5/\u00e9"));
        assertThat(file.pathBytes()).isEqualTo("base/5/\u00e9".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRawPathIsCopiedAndComparedByContent() {
        byte[] raw = {'x', (byte) 0xff};
        ManifestFile file = ManifestFile.ofBytes(raw, 1, TIME, ChecksumAlgorithm.NONE, "");
        raw[0] = 'y';
        assertThat(file.path()).isEqualTo("x\uFFFD");
        assertThat(file.rawPath()).containsExactly('x', 0xff);
        file.rawPath()[0] = 'z';
        assertThat(file.rawPath()).containsExactly('x', 0xff);
        assertThat(file).isEqualTo(ManifestFile.ofBytes(new byte[] {'x', (byte) 0xff}, 1, TIME, ChecksumAlgorithm.NONE, ""))
                .hasSameHashCodeAs(ManifestFile.ofBytes(new byte[] {'x', (byte) 0xff}, 1, TIME, ChecksumAlgorithm.NONE, ""))
                .isNotEqualTo(ManifestFile.ofBytes(new byte[] {'x', (byte) 0xfe}, 1, TIME, ChecksumAlgorithm.NONE, ""));
        assertThat(file.toString()).isEqualTo(
                "ManifestFile[path=x\uFFFD (raw 78ff), size=1, lastModified=2026-11-21T10:00:00Z, algorithm=NONE, checksumHex=]");
    }

    @Test
    void rawPathMustBeTheBytesOfAPathThatIsNotUtf8() {
        assertThatThrownBy(() -> new ManifestFile("x", "x".getBytes(StandardCharsets.UTF_8), 1, TIME, ChecksumAlgorithm.NONE, ""))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"x\": rawPath is valid UTF-8; give the name as path only");
        assertThatThrownBy(() -> new ManifestFile("y", new byte[] {'x', (byte) 0xff}, 1, TIME, ChecksumAlgorithm.NONE, ""))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"y\": path is not the UTF-8 decoding of rawPath");
    }

    @Test
    void pathsMustBeRelativeAndStayInside() {
        assertThatThrownBy(() -> file(""))
                .isInstanceOf(CellarException.class).hasMessage("invalid backup manifest entry \"\": the path is empty");
        assertThatThrownBy(() -> file("/etc/passwd"))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"/etc/passwd\": the path is absolute; manifest paths are relative to the data directory");
        for (String path : new String[] {"a//b", "a/", "./a", "a/./b", "..", "base/../x"}) {
            assertThatThrownBy(() -> file(path))
                    .isInstanceOf(CellarException.class)
                    .hasMessage("invalid backup manifest entry \"%s\": the path has an empty, \".\" or \"..\" element", path);
        }
        assertThatThrownBy(() -> file("a\0b"))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"a\0b\": the path contains a NUL character");
        assertThatThrownBy(() -> file("a\ud800b"))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"a\ud800b\": the path contains an unpaired UTF-16 surrogate, which has no UTF-8 form");
        assertThat(file("..a/b..").path()).isEqualTo("..a/b..");
        assertThat(file("emoji/\ud83d\ude00").path()).isEqualTo("emoji/\ud83d\ude00");
    }

    @Test
    void sizeTimeAndChecksumAreChecked() {
        assertThatThrownBy(() -> ManifestFile.of("a", -1, TIME, ChecksumAlgorithm.NONE, ""))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"a\": the size -1 is negative");
        assertThatThrownBy(() -> ManifestFile.of("a", 1, TIME.plusMillis(1), ChecksumAlgorithm.NONE, ""))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"a\": the modification time 2026-11-21T10:00:00.001Z has a "
                        + "fraction of a second; the manifest stores whole seconds");
        assertThatThrownBy(() -> ManifestFile.of("a", 1, Instant.parse("+10000-01-01T00:00:00Z"), ChecksumAlgorithm.NONE, ""))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"a\": the modification time +10000-01-01T00:00:00Z is outside the years 0000 to 9999");
        assertThatThrownBy(() -> ManifestFile.of("a", 1, TIME, ChecksumAlgorithm.NONE, "00"))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"a\": a checksum \"00\" is given without an algorithm");
        assertThatThrownBy(() -> ManifestFile.of("a", 1, TIME, ChecksumAlgorithm.CRC32C, ""))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"a\": the CRC32C checksum \"\" is not 8 lower-case hexadecimal digits");
        assertThatThrownBy(() -> ManifestFile.of("a", 1, TIME, ChecksumAlgorithm.CRC32C, "839206E3"))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup manifest entry \"a\": the CRC32C checksum \"839206E3\" is not 8 lower-case hexadecimal digits");
        assertThat(ManifestFile.of("a", 0, Instant.EPOCH, ChecksumAlgorithm.CRC32C, "839206e3").hasChecksum()).isTrue();
    }
}
