package dev.cellar.walreceiver.connection;

import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The end of one connection attempt (libpq's {@code connect_timeout} covers the whole attempt:
 * TCP, TLS, authentication, startup). Immutable.
 */
final class Deadline {
    private static final long UNLIMITED = Long.MAX_VALUE;

    private final long endNanos;
    private final Duration timeout;

    private Deadline(long endNanos, Duration timeout) {
        this.endNanos = endNanos;
        this.timeout = timeout;
    }

    /** {@link Duration#ZERO} means no deadline. */
    static Deadline after(Duration timeout) {
        return timeout.isZero() ? new Deadline(UNLIMITED, timeout) : new Deadline(System.nanoTime() + timeout.toNanos(), timeout);
    }

    boolean isUnlimited() {
        return endNanos == UNLIMITED;
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * Milliseconds left, at least 1, for {@link Socket#connect(java.net.SocketAddress, int)} and
     * {@link Socket#setSoTimeout(int)}; 0 means no limit.
     *
     * @throws SocketTimeoutException if the deadline has passed
     */
    int remainingMillis() throws SocketTimeoutException {
        if (isUnlimited()) {
            return 0;
        }
        long left = endNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("connect timeout of " + timeout.toMillis() + " ms expired");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Duration.ofNanos(left).toMillis()));
    }

    /** Limits the next blocking read on {@code socket} to the time left. */
    void applyTo(Socket socket) throws SocketTimeoutException, SocketException {
        socket.setSoTimeout(remainingMillis());
    }
}
