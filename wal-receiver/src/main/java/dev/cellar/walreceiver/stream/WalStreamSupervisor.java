package dev.cellar.walreceiver.stream;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps one WAL stream per cluster running in this JVM, each on its own platform thread (a virtual
 * thread cost twice the CPU in bench/wal-receive.sh: its 100 ms read timeouts park and wake it
 * through the JDK's poller thousands of times a second under load). A failed session is restarted after a
 * {@link Backoff} delay; a failure that needs a person (authentication, another cluster behind the
 * address, conflicting WAL) is shown as {@link WalStreamStatus.State#FAILED} and retried rarely.
 * One cluster's failure never affects another's stream. Thread-safe.
 */
public final class WalStreamSupervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WalStreamSupervisor.class);
    /** A session that streamed this long counts as healthy: the next failure starts backoff anew. */
    private static final Duration HEALTHY = Duration.ofSeconds(30);
    private static final Set<ErrorCode> NEEDS_A_PERSON = Set.of(ErrorCode.AUTHENTICATION_FAILED,
            ErrorCode.SYSTEM_IDENTIFIER_MISMATCH, ErrorCode.WAL_INVALID, ErrorCode.CONFIG_INVALID,
            ErrorCode.SECRET_UNAVAILABLE);

    private final Backoff backoff;
    private final Clock clock;
    private final Map<String, Supervised> streams = new ConcurrentHashMap<>();

    public WalStreamSupervisor(Backoff backoff, Clock clock) {
        this.backoff = backoff;
        this.clock = clock;
    }

    /** Starts supervising {@code stream}; a cluster can be supervised once at a time. */
    public void start(WalStream stream) {
        Supervised supervised = new Supervised(stream);
        // A platform thread per stream: measured with bench/wal-receive.sh, a virtual thread doubled
        // the receiver's CPU (about a third of socket reads find no data, and each parks and wakes
        // the virtual thread through the poller: 33 % of samples in futex). A few hundred
        // platform threads for a few hundred clusters cost nothing comparable.
        supervised.thread = Thread.ofPlatform().daemon().name("wal-" + stream.cluster())
                .unstarted(() -> {
                    MDC.put("cluster", stream.cluster()); // everything this thread logs is about the cluster
                    supervise(supervised);
                });
        if (streams.putIfAbsent(stream.cluster(), supervised) != null) {
            throw new IllegalStateException("cluster " + stream.cluster() + " is already streaming");
        }
        supervised.thread.start();
    }

    /**
     * Stops one cluster's stream: it makes its WAL durable, reports it and disconnects. Waits at
     * most {@code timeout}; returns whether it stopped in time.
     */
    public boolean stop(String cluster, Duration timeout) throws InterruptedException {
        Supervised supervised = streams.get(cluster);
        if (supervised == null) {
            return true;
        }
        supervised.stream.requestStop();
        supervised.wakeUp.countDown();
        boolean stopped = supervised.thread.join(timeout);
        if (stopped) {
            streams.remove(cluster, supervised);
        }
        return stopped;
    }

    /** The status of every supervised stream, by cluster name. */
    public Map<String, WalStreamStatus> statuses() {
        Map<String, WalStreamStatus> result = new TreeMap<>();
        streams.forEach((name, s) -> result.put(name, s.stream.status()));
        return result;
    }

    /** Stops every stream, waiting at most 30 s in all. */
    @Override
    public void close() {
        for (Supervised s : streams.values()) {
            s.stream.requestStop();
            s.wakeUp.countDown();
        }
        Instant deadline = clock.instant().plusSeconds(30);
        for (String cluster : Set.copyOf(streams.keySet())) {
            try {
                Duration left = Duration.between(clock.instant(), deadline);
                if (!stop(cluster, left.isNegative() ? Duration.ZERO : left)) {
                    log.warn("cluster {}: WAL stream did not stop in time", cluster);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void supervise(Supervised supervised) {
        WalStream stream = supervised.stream;
        int attempt = 0;
        while (!stream.isStopRequested()) {
            Instant started = clock.instant();
            boolean permanent;
            try {
                stream.runSession();
                continue;
            } catch (CellarException e) {
                permanent = NEEDS_A_PERSON.contains(e.code());
                stream.markFailure(permanent ? WalStreamStatus.State.FAILED : WalStreamStatus.State.RECONNECTING,
                        e.getMessage());
                if (permanent) {
                    log.error("cluster {}: WAL streaming failed and needs attention: {}{}", stream.cluster(),
                            e.getMessage(), e.hint().map(h -> " HINT: " + h).orElse(""));
                } else {
                    log.warn("cluster {}: WAL stream interrupted: {}", stream.cluster(), e.getMessage());
                }
            } catch (RuntimeException e) {
                permanent = false;
                stream.markFailure(WalStreamStatus.State.RECONNECTING, e.toString());
                log.error("cluster {}: WAL stream failed unexpectedly", stream.cluster(), e);
            }
            if (Duration.between(started, clock.instant()).compareTo(HEALTHY) >= 0) {
                attempt = 0;
            }
            Duration delay = backoff.delay(attempt++, permanent, ThreadLocalRandom.current());
            try {
                if (supervised.wakeUp.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stream.markStopped();
        streams.remove(stream.cluster(), supervised);
    }

    private static final class Supervised {
        final WalStream stream;
        final CountDownLatch wakeUp = new CountDownLatch(1);
        volatile Thread thread;

        Supervised(WalStream stream) {
            this.stream = stream;
        }
    }
}
