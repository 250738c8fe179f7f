package dev.cellar.walreceiver.protocol;

import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * An input stream that hands out chunks exactly as scripted, with read timeouts in between, the
 * way a socket with SO_TIMEOUT behaves when the peer pauses mid-message.
 */
final class ScriptedInputStream extends InputStream {
    private static final byte[] TIMEOUT = new byte[0];

    private final Deque<byte[]> chunks = new ArrayDeque<>();
    private int offset;

    ScriptedInputStream chunk(byte[] bytes) {
        chunks.add(bytes);
        return this;
    }

    ScriptedInputStream timeout() {
        chunks.add(TIMEOUT);
        return this;
    }

    @Override
    public int read() throws SocketTimeoutException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws SocketTimeoutException {
        if (chunks.isEmpty()) {
            return -1;
        }
        byte[] current = chunks.peek();
        if (current == TIMEOUT) {
            chunks.remove();
            throw new SocketTimeoutException("Read timed out");
        }
        int n = Math.min(len, current.length - offset);
        System.arraycopy(current, offset, b, off, n);
        offset += n;
        if (offset == current.length) {
            chunks.remove();
            offset = 0;
        }
        return n;
    }
}
