package dev.cellar.catalog;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.WalSegmentSize;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The clusters the catalog knows, and what each occupies. Obtained from {@link Catalog#clusters()}.
 *
 * <p>Thread-safe; every method is one short transaction and blocks while another process holds the
 * catalog's write lock (at most the busy timeout). Arguments must not be {@code null}.
 */
public final class ClusterQueries {
    private static final String COLUMNS = "id, name, system_identifier, pg_major, wal_segment_size, created_at";

    private final Transactions transactions;

    ClusterQueries(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Catalogues a cluster, or confirms it: if {@code name} is known with the same facts, returns the
     * existing row unchanged (its {@code createdAt} is the first registration's).
     *
     * @throws CellarException {@link ErrorCode#SYSTEM_IDENTIFIER_MISMATCH} if {@code name} is known
     *                         with another system identifier (another cluster answers under this name);
     *                         {@link ErrorCode#CATALOG_FAILED} if its major version or WAL segment size
     *                         differs, or the catalog fails
     */
    public ClusterRow register(String name, long systemIdentifier, int pgMajor, WalSegmentSize walSegmentSize,
                               Instant now) {
        ClusterRow wanted = new ClusterRow(0, name, systemIdentifier, pgMajor, walSegmentSize, now);
        return transactions.write("registering cluster \"%s\"".formatted(name), connection -> {
            Optional<ClusterRow> existing = find(connection, name);
            if (existing.isPresent()) {
                checkSameFacts(existing.get(), wanted);
                return existing.get();
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO clusters (name, system_identifier, pg_major, wal_segment_size, created_at) "
                            + "VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, name);
                insert.setString(2, Long.toUnsignedString(systemIdentifier));
                insert.setInt(3, pgMajor);
                insert.setInt(4, walSegmentSize.bytes());
                insert.setLong(5, Columns.micros(wanted.createdAt()));
                insert.executeUpdate();
            }
            return find(connection, name).orElseThrow();
        });
    }

    private void checkSameFacts(ClusterRow existing, ClusterRow wanted) {
        if (existing.systemIdentifier() != wanted.systemIdentifier()) {
            throw new CellarException(ErrorCode.SYSTEM_IDENTIFIER_MISMATCH,
                    "catalog %s: cluster \"%s\" is catalogued with system identifier %s, but the server has %s"
                            .formatted(transactions.file(), wanted.name(),
                                    Long.toUnsignedString(existing.systemIdentifier()),
                                    Long.toUnsignedString(wanted.systemIdentifier())),
                    ("the configuration of cluster \"%s\" points at a different PostgreSQL cluster; fix its conninfo, "
                            + "or give the new cluster a new name").formatted(wanted.name()));
        }
        if (existing.pgMajor() != wanted.pgMajor() || !existing.walSegmentSize().equals(wanted.walSegmentSize())) {
            throw CatalogErrors.failure(transactions.file(),
                    "cluster \"%s\" is catalogued as PostgreSQL %d with %s WAL segments, but the server is PostgreSQL %d with %s"
                            .formatted(wanted.name(), existing.pgMajor(), existing.walSegmentSize(), wanted.pgMajor(),
                                    wanted.walSegmentSize()),
                    "an upgraded or re-initialised cluster cannot continue the old one's backups and WAL; give it a new name");
        }
    }

    /** The cluster named {@code name}, if catalogued. */
    public Optional<ClusterRow> find(String name) {
        Objects.requireNonNull(name, "name");
        return transactions.read("reading cluster \"%s\"".formatted(name), connection -> find(connection, name));
    }

    /**
     * The cluster named {@code name}.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if there is none
     */
    public ClusterRow get(String name) {
        return transactions.read("reading cluster \"%s\"".formatted(name), connection -> {
            ClusterIds.require(connection, transactions.file(), name);
            return find(connection, name).orElseThrow();
        });
    }

    /** All catalogued clusters, by name. */
    public List<ClusterRow> list() {
        return transactions.read("listing clusters", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT " + COLUMNS + " FROM clusters ORDER BY name")) {
                return readAll(select);
            }
        });
    }

    /**
     * What the cluster named {@code name} occupies.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if there is no such cluster
     */
    public ClusterSizes sizes(String name) {
        return transactions.read("summing the sizes of cluster \"%s\"".formatted(name), connection -> {
            ClusterIds.require(connection, transactions.file(), name);
            return sizes(connection, name).getFirst();
        });
    }

    /** What each catalogued cluster occupies, by name. */
    public List<ClusterSizes> sizes() {
        return transactions.read("summing cluster sizes", connection -> sizes(connection, null));
    }

    private static List<ClusterSizes> sizes(Connection connection, String onlyName) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT c.name,
                       coalesce(w.files, 0), coalesce(w.logical, 0), coalesce(w.stored, 0),
                       coalesce(b.backups, 0), coalesce(b.logical, 0), coalesce(b.stored, 0)
                  FROM clusters c
                  LEFT JOIN (SELECT cluster_id, count(*) AS files, sum(size) AS logical, sum(stored_size) AS stored
                               FROM wal_segments GROUP BY cluster_id) w ON w.cluster_id = c.id
                  LEFT JOIN (SELECT cluster_id, count(*) AS backups, sum(logical_size) AS logical,
                                    sum(stored_size) AS stored
                               FROM backups GROUP BY cluster_id) b ON b.cluster_id = c.id
                 WHERE ?1 IS NULL OR c.name = ?1
                 ORDER BY c.name""")) {
            if (onlyName == null) {
                select.setNull(1, Types.VARCHAR);
            } else {
                select.setString(1, onlyName);
            }
            List<ClusterSizes> result = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    result.add(new ClusterSizes(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
                            rows.getLong(5), rows.getLong(6), rows.getLong(7)));
                }
            }
            return result;
        }
    }

    private static Optional<ClusterRow> find(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM clusters WHERE name = ?")) {
            select.setString(1, name);
            return readAll(select).stream().findFirst();
        }
    }

    private static List<ClusterRow> readAll(PreparedStatement select) throws SQLException {
        List<ClusterRow> result = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                result.add(new ClusterRow(rows.getLong("id"), rows.getString("name"),
                        Long.parseUnsignedLong(rows.getString("system_identifier")), rows.getInt("pg_major"),
                        WalSegmentSize.of(rows.getInt("wal_segment_size")), Columns.getInstant(rows, "created_at")));
            }
        }
        return result;
    }
}
