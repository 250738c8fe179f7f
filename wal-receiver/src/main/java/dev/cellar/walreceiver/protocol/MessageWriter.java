package dev.cellar.walreceiver.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Writes frontend messages ([proto] "Message Formats") into a buffer and sends them on
 * {@link #flush()}. Nothing reaches the server before {@code flush()}, so a caller can batch, for
 * example, a status update with a CopyDone.
 *
 * <p>Secrets: the authentication messages ({@link #passwordMessage}, {@link #saslInitialResponse},
 * {@link #saslResponse}) flush at once and then zero the buffer, so no password or proof lingers in
 * memory owned by the writer.
 *
 * <p>Not thread-safe. Blocking: {@code flush()} (and writes that overflow the buffer) block until
 * the socket accepts the bytes.
 */
public final class MessageWriter {
    /** Protocol version 3.0: major 3 in the high 16 bits, minor 0. */
    public static final int PROTOCOL_3_0 = 3 << 16;
    /** The "protocol version" of SSLRequest: 1234 in the high 16 bits, 5679 in the low. */
    public static final int SSL_REQUEST_CODE = 80877103;
    /** The "protocol version" of CancelRequest: 1234 in the high 16 bits, 5678 in the low. */
    public static final int CANCEL_REQUEST_CODE = 80877102;

    private static final int DEFAULT_BUFFER_SIZE = 8192;
    private static final int DIRECT_WRITE_THRESHOLD = DEFAULT_BUFFER_SIZE / 2;

    private final OutputStream out;
    private byte[] buffer;
    private int count;

    public MessageWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
        this.buffer = new byte[DEFAULT_BUFFER_SIZE];
    }

    /**
     * StartupMessage for protocol 3.0: int32 length, int32 version, then name/value C strings and a
     * final NUL. Parameter order is kept (it has no meaning to the server, but tests compare bytes).
     */
    public void startupMessage(Map<String, String> parameters) {
        int start = beginUntyped();
        int32(PROTOCOL_3_0);
        parameters.forEach((name, value) -> {
            cString(name);
            cString(value);
        });
        byte1(0);
        endUntyped(start);
    }

    /** SSLRequest: int32 8, int32 80877103. The server answers with one byte, 'S' or 'N'. */
    public void sslRequest() {
        int32(8);
        int32(SSL_REQUEST_CODE);
    }

    /** CancelRequest (sent alone on a new connection): int32 16, code, process id, secret key. */
    public void cancelRequest(int processId, byte[] secretKey) {
        int32(12 + secretKey.length);
        int32(CANCEL_REQUEST_CODE);
        int32(processId);
        bytes(secretKey, 0, secretKey.length);
    }

    /**
     * PasswordMessage 'p' for cleartext and md5 authentication: the password bytes and a NUL.
     * Flushes, then zeroes the buffer.
     */
    public void passwordMessage(byte[] password) throws IOException {
        int start = begin('p');
        bytes(password, 0, password.length);
        byte1(0);
        end(start);
        flushAndWipe();
    }

    /**
     * SASLInitialResponse 'p': mechanism name, int32 length of the initial response (-1 for none),
     * the response. Flushes, then zeroes the buffer.
     */
    public void saslInitialResponse(String mechanism, byte[] initialResponse) throws IOException {
        int start = begin('p');
        cString(mechanism);
        if (initialResponse == null) {
            int32(-1);
        } else {
            int32(initialResponse.length);
            bytes(initialResponse, 0, initialResponse.length);
        }
        end(start);
        flushAndWipe();
    }

    /** SASLResponse 'p': the raw bytes of the mechanism's next message. Flushes, then zeroes the buffer. */
    public void saslResponse(byte[] response) throws IOException {
        int start = begin('p');
        bytes(response, 0, response.length);
        end(start);
        flushAndWipe();
    }

    /** Query 'Q': a simple-protocol query string (UTF-8, must not contain NUL). */
    public void query(String sql) {
        int start = begin('Q');
        cString(sql);
        end(start);
    }

    /**
     * CopyData 'd' with the remaining bytes of {@code payload}; the buffer's position is not moved.
     * A payload of more than half the buffer is sent at once after what is buffered (which
     * flushes), straight from its array if it has one, else in buffer-sized pieces; smaller ones
     * are buffered until {@link #flush()}.
     */
    public void copyData(ByteBuffer payload) throws IOException {
        ByteBuffer view = payload.duplicate();
        int length = view.remaining();
        if (length > DIRECT_WRITE_THRESHOLD) {
            if (view.hasArray()) {
                copyData(view.array(), view.arrayOffset() + view.position(), length);
                return;
            }
            writeCopyDataHeaderAndFlushBuffer(length);
            while (view.hasRemaining()) {
                int piece = Math.min(buffer.length, view.remaining());
                view.get(buffer, 0, piece);
                out.write(buffer, 0, piece);
            }
            out.flush();
            return;
        }
        int start = begin('d');
        ensure(length);
        view.get(buffer, count, length);
        count += length;
        end(start);
    }

    /**
     * CopyData 'd' with {@code length} bytes of {@code data} from {@code offset}; large payloads are
     * written straight from the array as in {@link #copyData(ByteBuffer)}.
     */
    public void copyData(byte[] data, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length > DIRECT_WRITE_THRESHOLD) {
            writeCopyDataHeaderAndFlushBuffer(length);
            out.write(data, offset, length);
            out.flush();
            return;
        }
        int start = begin('d');
        bytes(data, offset, length);
        end(start);
    }

    private void writeCopyDataHeaderAndFlushBuffer(int payloadLength) throws IOException {
        if (payloadLength > MessageReader.MAX_MESSAGE_LENGTH - 4) {
            throw new IllegalArgumentException("CopyData of " + payloadLength + " bytes exceeds the 1 GiB protocol limit");
        }
        byte1('d');
        int32(4 + payloadLength);
        out.write(buffer, 0, count);
        count = 0;
    }

    /** CopyDone 'c'. */
    public void copyDone() {
        byte1('c');
        int32(4);
    }

    /** CopyFail 'f' with a reason the server puts into its error message. */
    public void copyFail(String reason) {
        int start = begin('f');
        cString(reason);
        end(start);
    }

    /** Terminate 'X'. */
    public void terminate() {
        byte1('X');
        int32(4);
    }

    /** Sends everything written so far. */
    public void flush() throws IOException {
        if (count > 0) {
            out.write(buffer, 0, count);
            count = 0;
        }
        out.flush();
    }

    /** Bytes written but not yet flushed. */
    public int buffered() {
        return count;
    }

    private void flushAndWipe() throws IOException {
        int used = count;
        try {
            flush();
        } finally {
            Arrays.fill(buffer, 0, Math.max(used, count), (byte) 0);
            count = 0;
        }
    }

    private int begin(char type) {
        byte1(type);
        int start = count;
        int32(0); // length, patched by end()
        return start;
    }

    private void end(int lengthAt) {
        putInt(lengthAt, count - lengthAt);
    }

    private int beginUntyped() {
        int start = count;
        int32(0);
        return start;
    }

    private void endUntyped(int lengthAt) {
        putInt(lengthAt, count - lengthAt);
    }

    private void cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("a protocol string cannot contain a NUL character");
            }
        }
        bytes(bytes, 0, bytes.length);
        byte1(0);
    }

    private void byte1(int b) {
        ensure(1);
        buffer[count++] = (byte) b;
    }

    private void int32(int v) {
        ensure(4);
        putInt(count, v);
        count += 4;
    }

    private void putInt(int at, int v) {
        buffer[at] = (byte) (v >>> 24);
        buffer[at + 1] = (byte) (v >>> 16);
        buffer[at + 2] = (byte) (v >>> 8);
        buffer[at + 3] = (byte) v;
    }

    private void bytes(byte[] data, int offset, int length) {
        ensure(length);
        System.arraycopy(data, offset, buffer, count, length);
        count += length;
    }

    /**
     * Grows the buffer so a whole message stays contiguous (its length is patched at the end); only
     * a very long query string (or password) can need that, since large CopyData bypasses the buffer.
     */
    private void ensure(int more) {
        if (count + more > buffer.length) {
            long needed = (long) count + more;
            if (needed > MessageReader.MAX_MESSAGE_LENGTH + 5L) {
                throw new IllegalArgumentException("message of " + needed + " bytes exceeds the 1 GiB protocol limit");
            }
            buffer = Arrays.copyOf(buffer, (int) Math.max(needed, Math.min(2L * buffer.length, Integer.MAX_VALUE - 8)));
        }
    }
}
