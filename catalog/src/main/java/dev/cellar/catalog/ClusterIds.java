package dev.cellar.catalog;

import dev.cellar.core.WalSegmentSize;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Resolves the cluster names the API speaks in to the keys the tables use, inside the caller's
 * transaction. An unknown name is an error, never an empty result: a typo must not read as "no
 * backups". Stateless.
 */
final class ClusterIds {

    /** A catalogued cluster's key and the one fact most queries need with it. */
    record ClusterKey(long id, WalSegmentSize walSegmentSize) {
    }

    private ClusterIds() {
    }

    /**
     * The key of the cluster named {@code name}.
     *
     * @throws dev.cellar.core.CellarException {@link dev.cellar.core.ErrorCode#CATALOG_FAILED} if there is none
     */
    static ClusterKey require(Connection connection, Path catalog, String name) throws SQLException {
        Objects.requireNonNull(name, "cluster");
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT id, wal_segment_size FROM clusters WHERE name = ?")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    return new ClusterKey(rows.getLong(1), WalSegmentSize.of(rows.getInt(2)));
                }
            }
        }
        throw CatalogErrors.failure(catalog, "no cluster named \"%s\"".formatted(name),
                "check the name against the configuration; a cluster is catalogued when Cellar first connects to it");
    }
}
