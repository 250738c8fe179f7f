package dev.cellar.walreceiver.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Reads backend messages from a socket stream: type byte, int32 length (which counts itself), body.
 *
 * <p><b>Timeouts keep the stream intact.</b> When the socket's read timeout expires, the
 * {@link SocketTimeoutException} propagates but every byte already received stays buffered, so the
 * next {@link #read()} continues the same message. A streaming loop can therefore set a short read
 * timeout to wake up and send status updates. (JSSE's {@code SSLSocketInputRecord} likewise keeps a
 * partial TLS record across timeouts.)
 *
 * <p><b>Buffers.</b> Messages that fit the receive buffer are decoded in place; a {@link
 * BackendMessage.CopyData} payload then aliases the buffer and is valid until the next read. A
 * larger message (rare: a long DataRow) gets an array of its own. Lengths above 1 GiB, and lengths
 * above 30000 bytes for types that are always short, are protocol errors (as in libpq), so a peer
 * that is not a PostgreSQL server is detected before any large allocation.
 *
 * <p>Not thread-safe. Blocking: {@link #read()} blocks until a whole message has arrived, the
 * stream ends, or the socket's read timeout expires.
 */
public final class MessageReader {
    /** The largest message length accepted: PostgreSQL's own limit for a single allocation. */
    public static final int MAX_MESSAGE_LENGTH = 1 << 30;
    /** Default buffer: a whole XLogData (128 kB of WAL + header) fits, with room to spare. */
    public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;

    private static final int HEADER = 5;
    private static final int MAX_SHORT_MESSAGE_LENGTH = 30_000;

    private final InputStream in;
    private final byte[] buffer;
    private int position;
    private int limit;

    // A message larger than the buffer, being read into its own array.
    private byte pendingType;
    private byte[] pendingBody;
    private int pendingFilled;

    public MessageReader(InputStream in) {
        this(in, DEFAULT_BUFFER_SIZE);
    }

    public MessageReader(InputStream in, int bufferSize) {
        this.in = Objects.requireNonNull(in, "in");
        if (bufferSize < 64) {
            throw new IllegalArgumentException("buffer size " + bufferSize + " is below 64 bytes");
        }
        this.buffer = new byte[bufferSize];
    }

    /**
     * Reads the next message.
     *
     * @throws SocketTimeoutException if the read timeout expired first; nothing is lost, call again
     * @throws EOFException if the server closed the connection
     * @throws IOException on other I/O failures
     * @throws dev.cellar.core.CellarException {@code PROTOCOL_ERROR} for an unknown type, an absurd
     *     length or a malformed body; the stream is unusable afterwards
     */
    public BackendMessage read() throws IOException {
        if (pendingBody != null) {
            return finishLargeMessage();
        }
        fill(HEADER);
        byte type = buffer[position];
        int length = ByteBuffer.wrap(buffer, position + 1, 4).getInt();
        checkHeader(type, length);
        int bodyLength = length - 4;
        if (HEADER + bodyLength <= buffer.length) {
            fill(HEADER + bodyLength);
            ByteBuffer body = ByteBuffer.wrap(buffer, position + HEADER, bodyLength).slice();
            position += HEADER + bodyLength;
            return BackendMessageParser.parse(type, body);
        }
        pendingType = type;
        pendingBody = new byte[bodyLength];
        int buffered = Math.min(limit - position - HEADER, bodyLength);
        System.arraycopy(buffer, position + HEADER, pendingBody, 0, buffered);
        pendingFilled = buffered;
        position = limit = 0;
        return finishLargeMessage();
    }

    /**
     * Whether a whole message is already in the buffer, so that {@link #read()} returns it without
     * touching the socket. Lets a caller batch work (one fsync for several WAL messages) without
     * ever delaying it behind data that has not arrived.
     */
    public boolean hasBufferedMessage() {
        if (pendingBody != null || limit - position < HEADER) {
            return false;
        }
        int length = ByteBuffer.wrap(buffer, position + 1, 4).getInt();
        return length >= 4 && (long) limit - position >= HEADER + (long) (length - 4);
    }

    private void checkHeader(byte type, int length) {
        if (!BackendMessageParser.isKnownType(type)) {
            throw BackendMessageParser.violation("unexpected message type " + BackendMessageParser.describeType(type)
                    + " (is the peer a PostgreSQL server?)");
        }
        if (length < 4 || length > MAX_MESSAGE_LENGTH) {
            throw BackendMessageParser.violation("message of type " + BackendMessageParser.describeType(type)
                    + " claims a length of " + Integer.toUnsignedString(length) + " bytes (allowed: 4 to "
                    + MAX_MESSAGE_LENGTH + ")");
        }
        if (length > MAX_SHORT_MESSAGE_LENGTH && !BackendMessageParser.mayBeLong(type)) {
            throw BackendMessageParser.violation("message of type " + BackendMessageParser.describeType(type)
                    + " claims a length of " + length + " bytes; messages of this type are short");
        }
    }

    private BackendMessage finishLargeMessage() throws IOException {
        while (pendingFilled < pendingBody.length) {
            int n = in.read(pendingBody, pendingFilled, pendingBody.length - pendingFilled);
            if (n < 0) {
                throw new EOFException("the server closed the connection in the middle of a message");
            }
            pendingFilled += n;
        }
        byte type = pendingType;
        ByteBuffer body = ByteBuffer.wrap(pendingBody);
        pendingBody = null;
        pendingFilled = 0;
        return BackendMessageParser.parse(type, body);
    }

    /** Makes at least {@code count} unread bytes available; a timeout leaves what arrived buffered. */
    private void fill(int count) throws IOException {
        if (limit - position >= count) {
            return;
        }
        if (buffer.length - position < count) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
        }
        while (limit - position < count) {
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                throw new EOFException(limit == position
                        ? "the server closed the connection"
                        : "the server closed the connection in the middle of a message");
            }
            limit += n;
        }
    }
}
