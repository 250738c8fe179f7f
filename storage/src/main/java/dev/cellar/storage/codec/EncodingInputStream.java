package dev.cellar.storage.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The encoded form of a source stream, pulled rather than pushed: a store's put reads an
 * {@link InputStream}, while encoders are {@link OutputStream}s. Each read feeds the next chunk of
 * the source through the encoder into a buffer, so one thread does everything without pipes.
 * Not thread-safe; closing releases the encoder but leaves the source open, as puts do.
 */
final class EncodingInputStream extends InputStream {
    private static final int CHUNK = 128 * 1024;

    /** Exposes its array so that encoded bytes are served without copying them again. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(CHUNK + CHUNK / 8);
        }

        byte[] array() {
            return buf;
        }
    }

    private final InputStream source;
    private final Buffer encoded = new Buffer();
    private final OutputStream encoder;
    private final byte[] chunk = new byte[CHUNK];
    private int position;
    private boolean sourceDone;
    private boolean closed;

    EncodingInputStream(InputStream source, Codec codec) throws IOException {
        this.source = source;
        this.encoder = codec.wrap(encoded);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (position == encoded.size() && !sourceDone) {
            refill();
        }
        if (position == encoded.size()) {
            return -1;
        }
        int n = Math.min(length, encoded.size() - position);
        System.arraycopy(encoded.array(), position, buffer, offset, n);
        position += n;
        return n;
    }

    private void refill() throws IOException {
        encoded.reset();
        position = 0;
        int n = source.read(chunk);
        if (n < 0) {
            sourceDone = true;
            closed = true;
            encoder.close(); // completes the frame into the buffer
        } else {
            encoder.write(chunk, 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            encoder.close(); // releases the encoder's native memory; the output is discarded
        }
    }
}
