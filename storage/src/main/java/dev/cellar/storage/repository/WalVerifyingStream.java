package dev.cellar.storage.repository;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.codec.StoredObject;
import dev.cellar.storage.io.ChecksummingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a stored WAL segment's logical bytes and, at the end, checks them against the SHA-256 in
 * the object's name. Decoder errors (a damaged zstd frame) become {@code OBJECT_CORRUPT} naming the
 * object. Not thread-safe.
 */
final class WalVerifyingStream extends FilterInputStream {
    private final ObjectStore store;
    private final StoredWal wal;
    private final ChecksummingInputStream stored;
    private final ChecksummingInputStream logical;
    private StoredObject verified;

    WalVerifyingStream(ObjectStore store, StoredWal wal) {
        this(store, wal, new ChecksummingInputStream(store.get(wal.key())));
    }

    private WalVerifyingStream(ObjectStore store, StoredWal wal, ChecksummingInputStream stored) {
        super(null);
        this.store = store;
        this.wal = wal;
        this.stored = stored;
        try {
            this.logical = new ChecksummingInputStream(wal.name().decoder().wrap(stored));
        } catch (IOException e) {
            throw corrupt("cannot start decoding: " + e.getMessage(), e);
        }
        this.in = logical;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = logical.read(b, off, len);
        } catch (CellarException e) {
            throw e;
        } catch (IOException e) {
            throw corrupt("the stored bytes do not decode (" + e.getMessage() + ")", e);
        }
        if (n < 0 && verified == null) {
            finish();
        }
        return n;
    }

    private void finish() throws IOException {
        stored.transferTo(java.io.OutputStream.nullOutputStream());
        String actual = logical.sha256Hex();
        if (!actual.equals(wal.name().logicalSha256())) {
            throw corrupt("its content has SHA-256 " + actual + " but its name records " + wal.name().logicalSha256(), null);
        }
        if (stored.count() != wal.storedSize()) {
            throw corrupt("it has " + stored.count() + " stored bytes, the listing said " + wal.storedSize(), null);
        }
        verified = new StoredObject(wal.key(), wal.name().decoder(), logical.count(), actual, stored.count(),
                stored.sha256Hex());
    }

    /** The verified record; only after the stream was read to its end. */
    StoredObject verified() {
        if (verified == null) {
            throw new IllegalStateException("read " + wal.key() + " to its end first");
        }
        return verified;
    }

    private CellarException corrupt(String what, Throwable cause) {
        return new CellarException(ErrorCode.OBJECT_CORRUPT,
                "WAL object " + wal.key() + " in " + store.describe() + " is damaged: " + what,
                "Restore it from the offsite copy; until then, recovery cannot pass segment "
                        + wal.segment().fileName() + ".", cause);
    }
}
