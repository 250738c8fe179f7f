package dev.cellar.storage.codec;

import com.github.luben.zstd.ZstdDecompressCtx;
import dev.cellar.core.CellarException;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.StorageErrors;
import dev.cellar.storage.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Reads a whole stored block (a backup chunk) and decodes it in one call into native memory this
 * decoder reuses: the counterpart of {@link BlockEncoder}. The stored bytes are proven (size and
 * SHA-256) before they are decoded, and the decoded ones (size, the frame's content checksum, or
 * the logical SHA-256 when recorded) before {@link #decode} returns, so a caller never sees a byte
 * of a damaged block. The result is a direct buffer: a file channel writes it without copying it
 * into a temporary buffer first, as it must for heap arrays.
 *
 * <p>Not thread-safe: one decoder per thread. It holds a zstd context and buffers as large as the
 * largest block decoded so far until {@link #close()}.
 */
public final class BlockDecoder implements AutoCloseable {
    /** Blocks larger than this are streamed instead ({@link VerifyingReader#open}); backup chunks are far smaller. */
    public static final long MAX_BLOCK = 64L * 1024 * 1024;

    private final ObjectStore store;
    private ZstdDecompressCtx zstd;
    private byte[] stored = new byte[0];
    private ByteBuffer logical = ByteBuffer.allocateDirect(0);

    public BlockDecoder(ObjectStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Whether {@link #decode} takes this object; larger ones must be streamed. */
    public static boolean fits(StoredObject object) {
        return object.logicalSize() <= MAX_BLOCK && object.storedSize() <= MAX_BLOCK;
    }

    /**
     * The object's logical bytes, verified: a direct buffer from position 0 to its logical size,
     * valid until the next call or {@link #close()}.
     *
     * @throws CellarException {@code OBJECT_CORRUPT} for bad stored or decoded bytes,
     *     {@code STORAGE_FAILED} when the store fails; {@link dev.cellar.storage.ObjectNotFoundException}
     *     when the object is gone
     * @throws IllegalArgumentException when the object does not {@link #fits fit}
     */
    public ByteBuffer decode(StoredObject expected) {
        if (!fits(expected)) {
            throw new IllegalArgumentException("object " + expected.key() + " is too large to decode in one block: "
                    + expected.storedSize() + " stored, " + expected.logicalSize() + " logical bytes");
        }
        Corruption corruption = new Corruption(expected, store.describe());
        int storedSize = readStored(expected, corruption);
        int logicalSize = (int) expected.logicalSize();
        if (logical.capacity() < logicalSize) {
            logical = ByteBuffer.allocateDirect(logicalSize);
        }
        logical.clear();
        int decoded;
        if (expected.codec() instanceof Codec.Zstd) {
            if (zstd == null) {
                zstd = new ZstdDecompressCtx();
            }
            try {
                // One-shot decoding checks the frame's content checksum and refuses output beyond logicalSize.
                decoded = zstd.decompressByteArrayToDirectByteBuffer(logical, 0, logicalSize, stored, 0, storedSize);
            } catch (RuntimeException e) { // ZstdException: a frame damaged in a way its SHA-256 did not show
                throw corruption.ofStoredBytes(storedSize, expected.storedSha256(), e);
            }
        } else {
            if (storedSize > logicalSize) { // stored and logical bytes are the same bytes: the record disagrees
                throw corruption.logicalTooLong();
            }
            logical.put(stored, 0, storedSize);
            decoded = storedSize;
        }
        logical.position(0).limit(decoded);
        CellarException wrong = corruption.ofLogicalBytes(decoded, logicalSha256(expected));
        if (wrong != null) {
            throw wrong;
        }
        return logical.duplicate();
    }

    private int readStored(StoredObject expected, Corruption corruption) {
        int size = (int) expected.storedSize();
        if (stored.length < size + 1) {
            stored = new byte[size + 1];
        }
        int n;
        try (InputStream in = store.get(expected.key())) {
            // One byte more than recorded, to see an object that grew.
            n = in.readNBytes(stored, 0, size + 1);
        } catch (IOException e) {
            throw StorageErrors.failed("read", "object " + expected.key(), store.describe(), e);
        }
        if (n > size) {
            throw corruption.storedTooLong();
        }
        MessageDigest digest = Sha256.newDigest();
        digest.update(stored, 0, n);
        CellarException wrong = corruption.ofStoredBytes(n, HexFormat.of().formatHex(digest.digest()), null);
        if (wrong != null) {
            throw wrong;
        }
        return n;
    }

    /** The decoded bytes' SHA-256 when the record has one to compare with, else null. */
    private String logicalSha256(StoredObject expected) {
        if (expected.logicalSha256() == null) {
            return null;
        }
        MessageDigest digest = Sha256.newDigest();
        digest.update(logical.duplicate());
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public void close() {
        if (zstd != null) {
            zstd.close();
            zstd = null;
        }
        stored = new byte[0];
        logical = ByteBuffer.allocateDirect(0);
    }
}
