package dev.cellar.storage.repository;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.WalSegmentSize;
import java.time.Instant;
import java.util.Objects;

/**
 * {@code clusters/<name>/cluster.json}: which PostgreSQL cluster a repository directory belongs to.
 * Written once, when the first connection identifies the cluster; every later connection must
 * present the same system identifier.
 *
 * @param format             document format, {@value ChecksummedDocument#FORMAT}
 * @param name               Cellar's name of the cluster (a directory name)
 * @param systemIdentifier   PostgreSQL's system identifier (uint64, decimal text)
 * @param serverVersionNum   {@code server_version_num} when the cluster was first seen, e.g. 170011
 * @param walSegmentSize     bytes per WAL segment
 * @param createdAt          when Cellar first recorded the cluster
 */
@JsonPropertyOrder({"format", "name", "systemIdentifier", "serverVersionNum", "walSegmentSize", "createdAt"})
public record ClusterInfo(int format, String name, String systemIdentifier, int serverVersionNum, int walSegmentSize,
                          Instant createdAt) {

    public ClusterInfo {
        RepositoryLayout.checkClusterName(name);
        Objects.requireNonNull(createdAt, "createdAt");
        if (systemIdentifier == null || !systemIdentifier.matches("[0-9]{1,20}")) {
            throw new CellarException(ErrorCode.INVALID_VALUE,
                    "invalid system identifier '" + systemIdentifier + "' for cluster " + name);
        }
        WalSegmentSize.of(walSegmentSize);
    }

    public static ClusterInfo of(String name, String systemIdentifier, int serverVersionNum, WalSegmentSize segmentSize,
                                 Instant createdAt) {
        return new ClusterInfo(ChecksummedDocument.FORMAT, name, systemIdentifier, serverVersionNum,
                segmentSize.bytes(), createdAt);
    }

    /** The PostgreSQL major version, e.g. 17. */
    public int pgMajor() {
        return serverVersionNum / 10000;
    }

    public WalSegmentSize segmentSize() {
        return WalSegmentSize.of(walSegmentSize);
    }
}
