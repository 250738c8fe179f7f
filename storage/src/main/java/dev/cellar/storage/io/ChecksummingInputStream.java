package dev.cellar.storage.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through while counting them and computing their SHA-256. Skipped bytes are read and
 * counted too, so the checksum always covers everything consumed. Not thread-safe; closing closes
 * the wrapped stream.
 */
public final class ChecksummingInputStream extends FilterInputStream {
    private final MessageDigest digest = Sha256.newDigest();
    private long count;

    public ChecksummingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            digest.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            digest.update(buffer, offset, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 0))];
        long skipped = 0;
        while (skipped < n) {
            int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (read < 0) {
                break;
            }
            skipped += read;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readLimit) {
        // Not supported: a reset would feed the same bytes to the digest twice.
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset is not supported by a checksumming stream");
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    /** Lower-case hex SHA-256 of the bytes read so far. */
    public String sha256Hex() {
        return Sha256.hexSoFar(digest);
    }
}
