package dev.cellar.storage.codec;

import dev.cellar.core.CellarException;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.StorageErrors;
import dev.cellar.storage.io.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Reads {@link StoredObject}s back as their logical bytes, proving on the way that they are what
 * was recorded: stored size and SHA-256, then decoded size and SHA-256. Every failure names the
 * object, the store and the recorded checksum; bad bytes are {@code OBJECT_CORRUPT} (including a
 * decoder that chokes on a flipped bit or a truncated frame), a failing store is
 * {@code STORAGE_FAILED}, a missing object is an {@link dev.cellar.storage.ObjectNotFoundException}.
 *
 * <p><b>When bad bytes are caught.</b> Objects of at most {@link #preverifyLimit()} stored bytes
 * (metadata, history files, most WAL segments) are read whole and checked before {@link #open}
 * returns, so a consumer never sees a byte of a corrupt one. Larger objects are verified while
 * they stream, and the verdict comes with the last read: a consumer may already have consumed bad
 * bytes when the exception arrives, so anything written from such a stream (a restored data file)
 * must be discarded on failure. Checking first would mean reading large objects twice.
 *
 * <p>Thread-safe (stateless apart from the store); the returned streams are not.
 */
public final class VerifyingReader {
    /** 8 MiB: every metadata object, and a compressed 16 MiB WAL segment in most cases. */
    public static final int DEFAULT_PREVERIFY_LIMIT = 8 * 1024 * 1024;

    private final ObjectStore store;
    private final int preverifyLimit;

    public VerifyingReader(ObjectStore store) {
        this(store, DEFAULT_PREVERIFY_LIMIT);
    }

    /** @param preverifyLimit the largest stored size checked before decoding; 0 streams everything */
    public VerifyingReader(ObjectStore store, int preverifyLimit) {
        this.store = Objects.requireNonNull(store, "store");
        if (preverifyLimit < 0 || preverifyLimit > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("preverifyLimit out of range: " + preverifyLimit);
        }
        this.preverifyLimit = preverifyLimit;
    }

    public int preverifyLimit() {
        return preverifyLimit;
    }

    /**
     * The object's logical bytes. Reads throw {@link CellarException} as described above, the last
     * one at the latest. The caller must close the stream.
     *
     * @throws dev.cellar.storage.ObjectNotFoundException when the object is gone
     * @throws CellarException ({@code OBJECT_CORRUPT}) for a small object with bad stored bytes
     */
    public InputStream open(StoredObject expected) {
        InputStream storeStream = store.get(expected.key());
        if (expected.storedSize() <= preverifyLimit) {
            storeStream = new ByteArrayInputStream(readChecked(storeStream, expected));
        }
        try {
            return new VerifyingInputStream(storeStream, expected, store.describe());
        } catch (IOException e) {
            closeQuietly(storeStream, e);
            throw StorageErrors.failed("decode", "object " + expected.key(), store.describe(), e);
        }
    }

    /** Reads the whole object to prove it intact, discarding its bytes (a verification run). */
    public void verify(StoredObject expected) {
        try (InputStream in = open(expected)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw StorageErrors.failed("read", "object " + expected.key(), store.describe(), e);
        }
    }

    /** The logical bytes of a small object, verified (metadata such as JSON documents). */
    public byte[] readAllBytes(StoredObject expected) {
        if (expected.logicalSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("object " + expected.key() + " is too large to read into memory: "
                    + expected.logicalSize() + " bytes");
        }
        try (InputStream in = open(expected)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw StorageErrors.failed("read", "object " + expected.key(), store.describe(), e);
        }
    }

    private byte[] readChecked(InputStream storeStream, StoredObject expected) {
        Corruption corruption = new Corruption(expected, store.describe());
        byte[] bytes;
        try (storeStream) {
            // One byte more than recorded, to see an object that grew.
            bytes = storeStream.readNBytes((int) expected.storedSize() + 1);
        } catch (IOException e) {
            throw StorageErrors.failed("read", "object " + expected.key(), store.describe(), e);
        }
        if (bytes.length > expected.storedSize()) {
            throw corruption.storedTooLong();
        }
        CellarException wrong = corruption.ofStoredBytes(bytes.length, Sha256.hex(bytes), null);
        if (wrong != null) {
            throw wrong;
        }
        return bytes;
    }

    private static void closeQuietly(InputStream in, IOException failure) {
        try {
            in.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
