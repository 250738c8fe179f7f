package dev.cellar.storage.codec;

import dev.cellar.core.CellarException;
import dev.cellar.storage.StorageErrors;
import dev.cellar.storage.io.ChecksummingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes a stored object while checksumming both its stored and its decoded bytes, and at the
 * decoded end checks sizes and checksums against the record. Overruns fail at once; everything
 * else at the end. Decoded bytes are checksummed only when the record has their SHA-256; without
 * one (a zstd frame) the decoder checks the frame's content checksum and this stream the size.
 * Failures are {@link CellarException}s thrown from {@code read}:
 * {@code OBJECT_CORRUPT} for bad bytes, {@code STORAGE_FAILED} when the store's stream fails.
 * Not thread-safe; closing closes the store's stream.
 */
final class VerifyingInputStream extends InputStream {
    /** Marks failures of the store's stream, so that they are not mistaken for bad data. */
    private static final class SourceFailure extends IOException {
        private static final long serialVersionUID = 1L;

        SourceFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static final class MarkingSourceFailures extends FilterInputStream {
        MarkingSourceFailures(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return in.read(buffer, offset, length);
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }
    }

    private final StoredObject expected;
    private final String store;
    private final Corruption corruption;
    private final ChecksummingInputStream stored;
    private final InputStream logical;
    /** The same stream as {@link #logical} when the record has a logical SHA-256, else null. */
    private final ChecksummingInputStream logicalDigest;
    private long logicalCount;
    private boolean verified;

    VerifyingInputStream(InputStream storeStream, StoredObject expected, String store) throws IOException {
        this.expected = expected;
        this.store = store;
        this.corruption = new Corruption(expected, store);
        this.stored = new ChecksummingInputStream(new MarkingSourceFailures(storeStream));
        InputStream decoded = expected.codec().wrap(stored);
        this.logicalDigest = expected.logicalSha256() == null ? null : new ChecksummingInputStream(decoded);
        this.logical = logicalDigest == null ? decoded : logicalDigest;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (verified) {
            return -1;
        }
        int n;
        try {
            n = logical.read(buffer, offset, length);
        } catch (IOException e) {
            throw failure(e);
        }
        if (stored.count() > expected.storedSize()) {
            throw corruption.storedTooLong();
        }
        if (n > 0) {
            logicalCount += n;
        }
        if (logicalCount > expected.logicalSize()) {
            throw corruption.logicalTooLong();
        }
        if (n < 0) {
            verifyAtEnd();
        }
        return n;
    }

    private void verifyAtEnd() {
        // The decoder may stop at the end of its frame: anything after it is part of the object too.
        drainStored(null);
        CellarException wrong = corruption.ofStoredBytes(stored.count(), stored.sha256Hex(), null);
        if (wrong == null) {
            wrong = corruption.ofLogicalBytes(logicalCount, logicalDigest == null ? null : logicalDigest.sha256Hex());
        }
        if (wrong != null) {
            throw wrong;
        }
        verified = true;
    }

    /** Tells a failing store from bad data; for bad data, reads the rest to name what is wrong. */
    private CellarException failure(IOException e) {
        SourceFailure source = sourceFailure(e);
        if (source != null) {
            return StorageErrors.failed("read", "object " + expected.key(), store, (IOException) source.getCause());
        }
        drainStored(e);
        return corruption.ofStoredBytes(stored.count(), stored.sha256Hex(), e);
    }

    private void drainStored(IOException decoderFailure) {
        byte[] buffer = new byte[64 * 1024];
        try {
            while (stored.read(buffer) >= 0) {
                if (stored.count() > expected.storedSize()) {
                    throw corruption.storedTooLong();
                }
            }
        } catch (IOException e) {
            CellarException failed = StorageErrors.failed("read", "object " + expected.key(), store, e);
            if (decoderFailure != null) {
                failed.addSuppressed(decoderFailure);
            }
            throw failed;
        }
    }

    private static SourceFailure sourceFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SourceFailure source) {
                return source;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        logical.close();
    }
}
