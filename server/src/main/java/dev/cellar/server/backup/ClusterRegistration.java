package dev.cellar.server.backup;

import dev.cellar.catalog.Catalog;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.stream.ServerIdentity;
import java.time.Clock;
import java.util.function.Supplier;

/** Catalogues a cluster from its {@code cluster.json}, which the repository writes first. */
final class ClusterRegistration {
    private ClusterRegistration() {
    }

    /**
     * As {@link #ensure(Catalog, Repository, String)}, first identifying the cluster through a
     * replication connection when the repository does not know it yet (its first job).
     */
    static void ensure(Catalog catalog, Repository repository, String cluster, Supplier<ReplicationConnection> connections,
            Clock clock) {
        if (catalog.clusters().find(cluster).isPresent()) {
            return;
        }
        if (repository.cluster(cluster).isEmpty()) {
            try (ReplicationConnection connection = connections.get()) {
                ServerIdentity.register(connection, repository, cluster, clock.instant());
            }
        }
        ensure(catalog, repository, cluster);
    }

    static void ensure(Catalog catalog, Repository repository, String cluster) {
        if (catalog.clusters().find(cluster).isPresent()) {
            return;
        }
        ClusterInfo info = repository.cluster(cluster).orElseThrow(() -> new CellarException(ErrorCode.INTERNAL,
                "cluster " + cluster + " has no cluster.json in the repository yet"));
        catalog.clusters().register(cluster, Long.parseUnsignedLong(info.systemIdentifier()), info.pgMajor(),
                WalSegmentSize.of(info.walSegmentSize()), info.createdAt());
    }
}
