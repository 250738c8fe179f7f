package dev.cellar.storage.codec;

import dev.cellar.storage.ObjectInfo;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.OverwritePolicy;
import dev.cellar.storage.StorageErrors;
import dev.cellar.storage.WriteOptions;
import dev.cellar.storage.io.ChecksummingInputStream;
import dev.cellar.storage.io.ExpectedSizeInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Encodes a stream and stores it as one object in a single pass, measuring both sides: the logical
 * bytes as they are read from the caller, the stored bytes as the store writes them (a put always
 * reports their size and SHA-256). The result is the {@link StoredObject} to record.
 *
 * <p>Thread-safe (stateless apart from the store); each call blocks until the object is published.
 */
public final class StoredObjectWriter {
    private final ObjectStore store;

    public StoredObjectWriter(ObjectStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Stores {@code content} (read to its end, not closed) encoded with {@code codec}.
     *
     * @throws dev.cellar.storage.ObjectExistsException under {@code FAIL_IF_EXISTS} when the key exists
     * @throws dev.cellar.core.CellarException ({@code STORAGE_FAILED}) when reading, encoding or
     *     writing fails; nothing is published then
     */
    public StoredObject write(ObjectKey key, Codec codec, InputStream content, OverwritePolicy overwrite) {
        return write(key, codec, content, overwrite, OptionalLong.empty());
    }

    /**
     * As {@link #write(ObjectKey, Codec, InputStream, OverwritePolicy)}, and fails without
     * publishing anything unless {@code content} yields exactly {@code logicalSize} bytes (a WAL
     * segment must be whole).
     */
    public StoredObject write(ObjectKey key, Codec codec, InputStream content, OverwritePolicy overwrite, long logicalSize) {
        return write(key, codec, content, overwrite, OptionalLong.of(logicalSize));
    }

    /**
     * Stores a block held in memory, encoded in one call by {@code encoder} straight from
     * {@code block} (see {@link BlockEncoder}): the way to store large blocks without streaming
     * them through an encoder. The stored SHA-256 is computed by the put; no logical SHA-256 is
     * computed (a pass over every byte that the callers' own per-file SHA-256s make redundant): for
     * zstd the object records none, its frame's content checksum and size prove the decoded bytes
     * (see {@link StoredObject}); for {@code none} the logical bytes are the stored ones, so the
     * stored SHA-256 is recorded as the logical one too.
     *
     * @throws dev.cellar.storage.ObjectExistsException under {@code FAIL_IF_EXISTS} when the key exists
     * @throws dev.cellar.core.CellarException ({@code STORAGE_FAILED}) when encoding or writing
     *     fails; nothing is published then
     */
    public StoredObject writeBlock(ObjectKey key, BlockEncoder encoder, byte[] block, int offset, int length,
            OverwritePolicy overwrite) {
        BlockEncoder.Encoded encoded = encoder.encode(block, offset, length);
        WriteOptions options = (overwrite == OverwritePolicy.REPLACE ? WriteOptions.replace() : WriteOptions.failIfExists())
                .withExpectedSize(encoded.length());
        ObjectInfo stored = store.put(key, new ByteArrayInputStream(encoded.array(), encoded.offset(), encoded.length()),
                options);
        String storedSha256 = stored.sha256().orElseThrow(() -> new IllegalStateException(
                store.describe() + " broke the ObjectStore contract: put returned no SHA-256 for " + key));
        String logicalSha256 = encoder.codec() instanceof Codec.Zstd ? null : storedSha256;
        return new StoredObject(key, encoder.codec(), length, logicalSha256, stored.size(), storedSha256);
    }

    private StoredObject write(ObjectKey key, Codec codec, InputStream content, OverwritePolicy overwrite,
            OptionalLong logicalSize) {
        InputStream source = logicalSize.isPresent() ? new ExpectedSizeInputStream(content, logicalSize.getAsLong()) : content;
        ChecksummingInputStream logical = new ChecksummingInputStream(source);
        ObjectInfo stored;
        try (EncodingInputStream encoded = new EncodingInputStream(logical, codec)) {
            WriteOptions options = overwrite == OverwritePolicy.REPLACE ? WriteOptions.replace() : WriteOptions.failIfExists();
            stored = store.put(key, encoded, options);
        } catch (IOException e) {
            throw StorageErrors.writeFailed(key, store.describe(), e);
        }
        String storedSha256 = stored.sha256().orElseThrow(() -> new IllegalStateException(
                store.describe() + " broke the ObjectStore contract: put returned no SHA-256 for " + key));
        return new StoredObject(key, codec, logical.count(), logical.sha256Hex(), stored.size(), storedSha256);
    }
}
