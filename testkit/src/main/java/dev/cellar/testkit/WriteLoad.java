package dev.cellar.testkit;

import dev.cellar.core.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A background writer that commits small transactions into table {@code cellar_load} at a bounded
 * rate, so tests have WAL flowing without filling the disk (an unthrottled loop can write 0.5 GB of
 * WAL in seconds). Each commit records its end LSN, so tests can check that what a commit
 * acknowledged reached the repository. Start with {@link #start}, end with {@link #close()}.
 */
public final class WriteLoad implements AutoCloseable {
    private final PgServer server;
    private final int transactionsPerSecond;
    private final int payloadBytes;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicReference<Lsn> lastCommitLsn = new AtomicReference<>(Lsn.ZERO);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    private WriteLoad(PgServer server, int transactionsPerSecond, int payloadBytes) {
        this.server = Objects.requireNonNull(server);
        if (transactionsPerSecond < 1 || payloadBytes < 0) {
            throw new IllegalArgumentException("rate must be >= 1/s and payload >= 0 bytes");
        }
        this.transactionsPerSecond = transactionsPerSecond;
        this.payloadBytes = payloadBytes;
        this.thread = Thread.ofPlatform().daemon().name("write-load-" + server.name()).unstarted(this::run);
    }

    /** Creates the table if needed and starts committing in the background. */
    public static WriteLoad start(PgServer server, int transactionsPerSecond, int payloadBytes) {
        server.execute("CREATE TABLE IF NOT EXISTS cellar_load (id bigserial PRIMARY KEY, "
                + "at timestamptz NOT NULL DEFAULT clock_timestamp(), payload text NOT NULL)");
        WriteLoad load = new WriteLoad(server, transactionsPerSecond, payloadBytes);
        load.thread.start();
        return load;
    }

    private void run() {
        long intervalNanos = 1_000_000_000L / transactionsPerSecond;
        try (Connection c = server.connect();
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO cellar_load (payload) VALUES (?) RETURNING pg_current_wal_insert_lsn()")) {
            long next = System.nanoTime();
            while (running) {
                insert.setString(1, payload());
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    // The insert position right after the row: the commit record lies beyond it,
                    // so a flush position past the commit's own LSN covers this value too.
                    lastCommitLsn.set(Lsn.parse(rs.getString(1)));
                }
                commits.incrementAndGet();
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    next = System.nanoTime();
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (running) {
                failure.set(e);
            }
        }
    }

    private String payload() {
        StringBuilder sb = new StringBuilder(payloadBytes);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < payloadBytes; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    /** Transactions committed so far. */
    public long commits() {
        return commits.get();
    }

    /** The WAL insert position just after the last committed row. */
    public Lsn lastCommitLsn() {
        return lastCommitLsn.get();
    }

    /** Throws if the writer died on an error other than being stopped. */
    public void assertHealthy() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("write load on " + server + " failed: " + t, t);
        }
    }

    /** Stops the writer and waits for it; returns the number of commits. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Row count of {@code cellar_load}, for comparisons after a restore. */
    public static long rowCount(PgServer server) {
        try (Connection c = server.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM cellar_load")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
