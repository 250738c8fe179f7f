package dev.cellar.storage.backup;

import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * At most {@code capacity} chunk arrays of {@code chunkSize} bytes, allocated when first needed
 * and reused: the parser fills one while the workers compress and store the others. When all are
 * taken the parser waits here, which in turn fills the pipe and blocks the receive thread.
 * Thread-safe; {@link #abort} wakes and fails every waiter.
 */
final class ChunkBufferPool {
    private final int chunkSize;
    private final int capacity;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private int allocated;
    private String aborted;

    ChunkBufferPool(int chunkSize, int capacity) {
        this.chunkSize = chunkSize;
        this.capacity = capacity;
    }

    /**
     * A chunk array, waiting while all are in use.
     *
     * @throws StreamPipe.BrokenPipeException once the pool is aborted
     */
    byte[] take() throws InterruptedIOException, StreamPipe.BrokenPipeException {
        lock.lock();
        try {
            while (aborted == null && free.isEmpty() && allocated == capacity) {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for a free chunk buffer");
                }
            }
            if (aborted != null) {
                throw new StreamPipe.BrokenPipeException(aborted);
            }
            if (!free.isEmpty()) {
                return free.pop();
            }
            allocated++;
        } finally {
            lock.unlock();
        }
        return new byte[chunkSize]; // outside the lock: 16 MiB of zeroing
    }

    /** Gives an array back for reuse. */
    void release(byte[] buffer) {
        lock.lock();
        try {
            free.push(buffer);
            released.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Fails current and future {@link #take} calls; drops the free arrays. */
    void abort(String reason) {
        lock.lock();
        try {
            if (aborted == null) {
                aborted = reason;
            }
            free.clear();
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
