package dev.cellar.storage.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes bytes through and fails with {@link ContentMismatchException} as soon as the wrapped stream
 * yields more bytes than expected, or ends early. Checking as bytes arrive, rather than after the
 * end, stops a writer from consuming (and storing) an unbounded stream. Not thread-safe.
 */
public final class ExpectedSizeInputStream extends FilterInputStream {
    private final long expected;
    private long count;

    public ExpectedSizeInputStream(InputStream in, long expected) {
        super(in);
        if (expected < 0) {
            throw new IllegalArgumentException("expected size must not be negative: " + expected);
        }
        this.expected = expected;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        account(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        // Ask for one byte more than expected at most, so an overlong stream is caught at once.
        int n = in.read(buffer, offset, (int) Math.min(length, Math.max(1, expected - count + 1)));
        account(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(Math.min(n, expected - count + 1));
        if (skipped > 0) {
            account(skipped);
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void account(long n) throws ContentMismatchException {
        if (n < 0) {
            if (count != expected) {
                throw new ContentMismatchException("the stream ended after " + count + " bytes, " + expected + " were expected");
            }
            return;
        }
        count += n;
        if (count > expected) {
            throw new ContentMismatchException("the stream yielded more than the expected " + expected + " bytes");
        }
    }
}
