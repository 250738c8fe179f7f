package dev.cellar.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ObjectKeyTest {
    @Test
    void aRelativePathIsAKey() {
        ObjectKey key = ObjectKey.of("clusters/c1/wal/00000001/000000010000000000000001.zst");

        assertThat(key.segments()).containsExactly("clusters", "c1", "wal", "00000001", "000000010000000000000001.zst");
        assertThat(key.name()).isEqualTo("000000010000000000000001.zst");
        assertThat(key.toString()).isEqualTo(key.value());
        assertThat(ObjectKey.of("c1").resolve("cluster.json")).isEqualTo(ObjectKey.of("c1/cluster.json"));
    }

    @Test
    void dotsInsideNamesAreFine() {
        assertThat(ObjectKey.of(".hidden/a..b/...").segments()).containsExactly(".hidden", "a..b", "...");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "''           | invalid object key \"\": it is empty",
        "/etc/passwd  | invalid object key \"/etc/passwd\": it must be relative (no leading '/')",
        "a//b         | invalid object key \"a//b\": it contains an empty segment",
        "a/           | invalid object key \"a/\": it contains an empty segment",
        "a/./b        | invalid object key \"a/./b\": it contains a '.' segment",
        "a/../../etc  | invalid object key \"a/../../etc\": it contains a '..' segment",
        "..           | invalid object key \"..\": it contains a '..' segment",
        "a\\b         | invalid object key \"a\\b\": it contains a backslash; use '/' between segments",
        "a/.tmp-1234  | invalid object key \"a/.tmp-1234\": segments starting with '.tmp-' are reserved for temporary files",
    })
    void invalidKeysAreRefusedNamingTheRule(String key, String message) {
        assertThatThrownBy(() -> ObjectKey.of(key))
                .isInstanceOf(CellarException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.INVALID_VALUE));
    }

    @Test
    void aNulCharacterIsRefusedAndShownEscaped() {
        assertThatThrownBy(() -> ObjectKey.of("a\0b"))
                .hasMessage("invalid object key \"a\\u0000b\": it contains a NUL character");
    }

    @Test
    void keysAreLimitedTo1024BytesOfUtf8() {
        String ascii = "k/" + "x".repeat(1022);
        assertThat(ObjectKey.of(ascii).value()).hasSize(1024);

        // 'é' is two bytes in UTF-8: 1024 characters but 1025 bytes.
        String accented = "k/é" + "x".repeat(1021);
        assertThatThrownBy(() -> ObjectKey.of(accented))
                .hasMessage("invalid object key \"k/é" + "x".repeat(77) + "…\": it is 1025 bytes long in UTF-8, more than 1024");
    }

    @Test
    void prefixesMayEndInAPartialSegmentOrASlash() {
        assertThat(ObjectKey.checkPrefix("")).isEmpty();
        assertThat(ObjectKey.checkPrefix("wal/0000")).isEqualTo("wal/0000");
        assertThat(ObjectKey.checkPrefix("wal/")).isEqualTo("wal/");
        assertThat(ObjectKey.checkPrefix("wal/.")).isEqualTo("wal/.");
        assertThatThrownBy(() -> ObjectKey.checkPrefix("/wal"))
                .hasMessage("invalid prefix \"/wal\": it must be relative (no leading '/')");
        assertThatThrownBy(() -> ObjectKey.checkPrefix("wal//0"))
                .hasMessage("invalid prefix \"wal//0\": it contains an empty segment");
        assertThatThrownBy(() -> ObjectKey.checkPrefix("../wal"))
                .hasMessage("invalid prefix \"../wal\": it contains a '..' segment");
    }

    @Test
    void keysSortByCodePointLikeS3NotByUtf16() {
        // U+E000 is one UTF-16 unit above the surrogates that encode U+1F600, yet its code point is lower.
        List<ObjectKey> keys = new ArrayList<>(List.of(ObjectKey.of("u/\uD83D\uDE00"), ObjectKey.of("u/\uE000"),
                ObjectKey.of("a/b"), ObjectKey.of("a-b"), ObjectKey.of("a")));
        keys.sort(null);

        assertThat(keys).extracting(ObjectKey::value)
                .containsExactly("a", "a-b", "a/b", "u/\uE000", "u/\uD83D\uDE00");
        assertThat("\uD83D\uDE00".compareTo("\uE000")).isNegative();
    }
}
