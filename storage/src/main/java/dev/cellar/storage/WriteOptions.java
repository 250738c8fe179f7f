package dev.cellar.storage;

import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How {@link ObjectStore#put} writes one object. A put whose stream does not match an expectation
 * fails and publishes nothing.
 *
 * @param overwrite what to do when the key exists
 * @param expectedSize the number of bytes the stream must yield, when known
 * @param expectedSha256 lower-case hex SHA-256 the stream's bytes must have, when known (copying an
 *     object between stores)
 */
public record WriteOptions(OverwritePolicy overwrite, OptionalLong expectedSize, Optional<String> expectedSha256) {
    public WriteOptions {
        Objects.requireNonNull(overwrite, "overwrite");
        Objects.requireNonNull(expectedSize, "expectedSize");
        Objects.requireNonNull(expectedSha256, "expectedSha256");
        if (expectedSize.isPresent() && expectedSize.getAsLong() < 0) {
            throw new IllegalArgumentException("expectedSize must not be negative: " + expectedSize.getAsLong());
        }
        expectedSha256.ifPresent(WriteOptions::checkSha256);
    }

    /** Never replace an existing object; nothing else expected. */
    public static WriteOptions failIfExists() {
        return new WriteOptions(OverwritePolicy.FAIL_IF_EXISTS, OptionalLong.empty(), Optional.empty());
    }

    /** Replace an existing object; nothing else expected. */
    public static WriteOptions replace() {
        return new WriteOptions(OverwritePolicy.REPLACE, OptionalLong.empty(), Optional.empty());
    }

    /** These options, with the stream expected to yield exactly {@code size} bytes. */
    public WriteOptions withExpectedSize(long size) {
        return new WriteOptions(overwrite, OptionalLong.of(size), expectedSha256);
    }

    /** These options, with the stream's bytes expected to have this SHA-256 (lower-case hex). */
    public WriteOptions withExpectedSha256(String sha256) {
        return new WriteOptions(overwrite, expectedSize, Optional.of(sha256));
    }

    private static void checkSha256(String hex) {
        if (hex.length() != 64 || !hex.equals(hex.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("expectedSha256 must be 64 lower-case hex digits: " + hex);
        }
        HexFormat.of().parseHex(hex);
    }
}
