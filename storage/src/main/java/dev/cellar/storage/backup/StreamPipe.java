package dev.cellar.storage.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded byte pipe from one pushing thread (the receive thread) to one pulling thread (the tar
 * parser): a ring of {@code capacity} bytes. The writer blocks while the ring is full, the reader
 * while it is empty; that is the back-pressure that keeps memory bounded when parsing or
 * compression falls behind the network. Each side copies outside the lock into the part of the
 * ring it owns, so the lock is held only to move the counters.
 *
 * <p>Exactly one writer thread and one reader thread. {@link #breakPipe} may be called from any
 * thread: it wakes both sides, whose next (or current) call then fails.
 */
final class StreamPipe {
    /** Thrown on either side once the pipe is broken. */
    static final class BrokenPipeException extends IOException {
        private static final long serialVersionUID = 1L;

        BrokenPipeException(String message) {
            super(message);
        }
    }

    private final byte[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private final InputStream input = new Input();
    private long written;
    private long read;
    private boolean writeClosed;
    private String broken;

    StreamPipe(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.ring = new byte[capacity];
    }

    /**
     * Copies every remaining byte of {@code bytes} into the pipe, blocking while it is full. The
     * buffer's position advances; the caller may reuse it when this returns.
     *
     * @throws BrokenPipeException when the pipe is broken before every byte is in
     * @throws InterruptedIOException when the thread is interrupted while waiting
     */
    void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            int at;
            int n;
            lock.lock();
            try {
                if (writeClosed) {
                    throw new IllegalStateException("write after the end of the stream");
                }
                while (broken == null && written - read == ring.length) {
                    awaitOrThrow(notFull);
                }
                if (broken != null) {
                    throw new BrokenPipeException(broken);
                }
                at = (int) (written % ring.length);
                n = (int) Math.min(Math.min(bytes.remaining(), ring.length - (written - read)), ring.length - at);
            } finally {
                lock.unlock();
            }
            bytes.get(ring, at, n); // the region [written, written + n) belongs to the writer alone
            lock.lock();
            try {
                written += n;
                notEmpty.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Marks the end of the stream: the reader sees end of file once it has read everything. */
    void closeWrite() {
        lock.lock();
        try {
            writeClosed = true;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes both sides; from now on both fail with {@code reason}. The first reason stays. */
    void breakPipe(String reason) {
        lock.lock();
        try {
            if (broken == null) {
                broken = reason;
            }
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The reading side; for the one reader thread. Closing it does nothing. */
    InputStream input() {
        return input;
    }

    /** Bytes written so far. */
    long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    private void awaitOrThrow(Condition condition) throws InterruptedIOException {
        try {
            condition.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on the archive pipe");
        }
    }

    private final class Input extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            java.util.Objects.checkFromIndexSize(offset, length, buffer.length);
            if (length == 0) {
                return 0;
            }
            int at;
            int n;
            lock.lock();
            try {
                while (broken == null && written == read && !writeClosed) {
                    awaitOrThrow(notEmpty);
                }
                if (broken != null) {
                    throw new BrokenPipeException(broken);
                }
                if (written == read) {
                    return -1;
                }
                at = (int) (read % ring.length);
                n = (int) Math.min(Math.min(length, written - read), ring.length - at);
            } finally {
                lock.unlock();
            }
            System.arraycopy(ring, at, buffer, offset, n); // [read, read + n) belongs to the reader alone
            lock.lock();
            try {
                read += n;
                notFull.signal();
            } finally {
                lock.unlock();
            }
            return n;
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return (int) Math.min(Integer.MAX_VALUE, written - read);
            } finally {
                lock.unlock();
            }
        }
    }
}
