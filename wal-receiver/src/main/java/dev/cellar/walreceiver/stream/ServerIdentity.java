package dev.cellar.walreceiver.stream;

import dev.cellar.core.CellarException;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.connection.ReplicationConnection;
import dev.cellar.walreceiver.connection.SystemIdentification;
import java.time.Instant;

/**
 * Who answers on a replication connection: IDENTIFY_SYSTEM, the server version and the WAL
 * segment size. Every session that writes to the repository (a WAL stream, a base backup, a job
 * identifying a new cluster) first checks it against the cluster's {@code cluster.json}, writing
 * it on first contact.
 */
public record ServerIdentity(SystemIdentification system, int serverVersionNum, WalSegmentSize segmentSize) {

    /** Asks the server. */
    public static ServerIdentity of(ReplicationConnection connection) {
        return new ServerIdentity(connection.identifySystem(), connection.serverVersionNum(),
                WalSegmentSize.parse(connection.show("wal_segment_size")));
    }

    /**
     * Asks the server and registers it as {@code cluster}.
     *
     * @throws CellarException {@code SYSTEM_IDENTIFIER_MISMATCH} when another system is registered
     *     under this name
     */
    public static ServerIdentity register(ReplicationConnection connection, Repository repository, String cluster,
            Instant now) {
        ServerIdentity identity = of(connection);
        repository.registerCluster(ClusterInfo.of(cluster, identity.system().systemId(), identity.serverVersionNum(),
                identity.segmentSize(), now));
        return identity;
    }

    /** The system identifier as the unsigned number WAL page headers carry. */
    public long systemIdentifier() {
        return Long.parseUnsignedLong(system.systemId());
    }
}
