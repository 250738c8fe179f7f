package dev.cellar.storage.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through while counting them and computing their SHA-256. A byte counts once the
 * wrapped stream accepted it. Not thread-safe; closing closes the wrapped stream.
 */
public final class ChecksummingOutputStream extends FilterOutputStream {
    private final MessageDigest digest = Sha256.newDigest();
    private long count;

    public ChecksummingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digest.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        // FilterOutputStream would write byte by byte.
        out.write(buffer, offset, length);
        digest.update(buffer, offset, length);
        count += length;
    }

    /** Bytes written so far. */
    public long count() {
        return count;
    }

    /** Lower-case hex SHA-256 of the bytes written so far. */
    public String sha256Hex() {
        return Sha256.hexSoFar(digest);
    }
}
