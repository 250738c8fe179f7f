package dev.cellar.server.daemon;

import dev.cellar.catalog.Catalog;
import dev.cellar.config.ClusterConfig;
import dev.cellar.core.Lsn;
import dev.cellar.server.backup.CatalogWalRecorder;
import dev.cellar.server.wiring.ClusterWiring;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.stream.Backoff;
import dev.cellar.walreceiver.stream.WalStream;
import dev.cellar.walreceiver.stream.WalStreamStatus;
import dev.cellar.walreceiver.stream.WalStreamSupervisor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WAL stream of every configured cluster, under one {@link WalStreamSupervisor}: started the
 * same way at start and on a reload (the stream connects, registers the cluster, creates its slot
 * when missing, and archives into the repository and the catalog), and stopped one by one or all
 * at once, each making its WAL durable and reporting it to its server first. Thread-safe.
 */
final class ClusterStreams implements AutoCloseable {
    /** How a stopped stream ended: in time or not, and the last WAL position it made durable. */
    record Stopped(boolean inTime, Optional<Lsn> durable) {
    }

    private final Repository repository;
    private final Catalog catalog;
    private final Path spool;
    private final Clock clock;
    private final WalStreamSupervisor supervisor;
    private final Map<String, WalStream> streams = new ConcurrentHashMap<>();

    ClusterStreams(Repository repository, Catalog catalog, Path spool, Clock clock) {
        this.repository = repository;
        this.catalog = catalog;
        this.spool = spool;
        this.clock = clock;
        this.supervisor = new WalStreamSupervisor(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofMinutes(10)), clock);
    }

    /**
     * Checks that {@code cluster}'s settings make a stream, without starting it.
     *
     * @throws dev.cellar.core.CellarException ({@code CONFIG_INVALID}) naming the cluster and the problem
     */
    void check(ClusterConfig cluster) {
        ClusterWiring.walStream(cluster, spool);
    }

    /** Starts streaming {@code cluster}'s WAL; connection failures are retried by the supervisor. */
    void start(ClusterConfig cluster) {
        WalStream stream = new WalStream(ClusterWiring.walStream(cluster, spool), repository,
                new CatalogWalRecorder(catalog, repository), clock);
        supervisor.start(stream);
        streams.put(cluster.name(), stream);
    }

    /**
     * Stops one cluster's stream: it fsyncs what it received, reports that position to its server
     * and disconnects, so the slot is left inactive. Blocks at most {@code timeout}.
     */
    Stopped stop(String cluster, Duration timeout) throws InterruptedException {
        WalStream stream = streams.get(cluster);
        boolean inTime = supervisor.stop(cluster, timeout);
        if (inTime) {
            streams.remove(cluster, stream);
        }
        Optional<Lsn> durable = Optional.ofNullable(stream).map(s -> s.status().flushed()).filter(l -> !l.isInvalid());
        return new Stopped(inTime, durable);
    }

    /** Every stream's status, by cluster name. */
    Map<String, WalStreamStatus> statuses() {
        return supervisor.statuses();
    }

    /** Stops every stream, 30 s at most in all. */
    @Override
    public void close() {
        supervisor.close();
        streams.clear();
    }
}
