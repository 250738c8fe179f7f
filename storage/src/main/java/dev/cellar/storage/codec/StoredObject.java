package dev.cellar.storage.codec;

import dev.cellar.storage.ObjectKey;
import java.util.Objects;

/**
 * What the repository records about one stored object so that it can be verified on every read:
 * the sizes and SHA-256s of both its logical (decoded) bytes and its stored (encoded) bytes. The
 * stored checksum finds corruption without decoding; the logical one proves the decoded result.
 *
 * @param codec how the stored bytes encode the logical ones
 * @param logicalSha256 lower-case hex
 * @param storedSha256 lower-case hex
 */
public record StoredObject(ObjectKey key, Codec codec, long logicalSize, String logicalSha256, long storedSize,
        String storedSha256) {
    public StoredObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(logicalSha256, "logicalSha256");
        Objects.requireNonNull(storedSha256, "storedSha256");
        if (logicalSize < 0 || storedSize < 0) {
            throw new IllegalArgumentException("sizes must not be negative: " + logicalSize + ", " + storedSize);
        }
    }
}
