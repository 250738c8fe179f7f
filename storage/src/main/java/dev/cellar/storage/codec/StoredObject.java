package dev.cellar.storage.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cellar.storage.ObjectKey;
import java.util.Objects;

/**
 * What the repository records about one stored object so that it can be verified on every read:
 * the sizes and SHA-256s of both its logical (decoded) bytes and its stored (encoded) bytes. The
 * stored checksum finds corruption without decoding; the logical one proves the decoded result.
 *
 * <p>A zstd object may go without a logical SHA-256 (backup chunks, see
 * {@link StoredObjectWriter#writeBlock}): its frame records its content size and a content checksum
 * (XXH64) that the decoder verifies, and the stored SHA-256 proves the frame is the one written, so
 * the decoded bytes are still proven, by the frame checksum and the logical size.
 *
 * @param codec how the stored bytes encode the logical ones
 * @param logicalSha256 lower-case hex; null only for {@link Codec.Zstd} (see above)
 * @param storedSha256 lower-case hex
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredObject(ObjectKey key, Codec codec, long logicalSize, String logicalSha256, long storedSize,
        String storedSha256) {
    public StoredObject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(codec, "codec");
        if (logicalSha256 == null && !(codec instanceof Codec.Zstd)) {
            throw new IllegalArgumentException("only a zstd object, whose frame has a content checksum, may go"
                    + " without a logical SHA-256: " + key);
        }
        Objects.requireNonNull(storedSha256, "storedSha256");
        if (logicalSize < 0 || storedSize < 0) {
            throw new IllegalArgumentException("sizes must not be negative: " + logicalSize + ", " + storedSize);
        }
    }
}
