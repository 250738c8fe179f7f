package dev.cellar.catalog;

import dev.cellar.catalog.ClusterIds.ClusterKey;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Recorded WAL gaps: WAL a cluster's server no longer had. Obtained from {@link Catalog#walGaps()}.
 *
 * <p>Thread-safe; every method is one short transaction and blocks while another process holds the
 * catalog's write lock (at most the busy timeout). Arguments must not be {@code null}.
 */
public final class WalGapQueries {
    private static final String COLUMNS = "id, tli, from_lsn, to_lsn, detected_at, reason";

    private final Transactions transactions;

    WalGapQueries(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Records that the WAL in {@code range} is lost. Idempotent: recording the same range of the
     * same cluster again returns the first record unchanged.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown or the catalog fails
     */
    public WalGapRow record(String cluster, LsnRange range, Instant detectedAt, String reason) {
        Objects.requireNonNull(range, "range");
        WalGapRow wanted = new WalGapRow(0, cluster, range, detectedAt, reason);
        return transactions.write("recording the WAL gap %s of cluster \"%s\"".formatted(range, cluster), connection -> {
            ClusterKey key = ClusterIds.require(connection, transactions.file(), cluster);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO wal_gaps (cluster_id, tli, "
                    + "from_lsn, to_lsn, detected_at, reason) VALUES (?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (cluster_id, tli, from_lsn, to_lsn) DO NOTHING")) {
                insert.setLong(1, key.id());
                insert.setLong(2, range.timeline().value());
                insert.setLong(3, Columns.lsn(transactions.file(), "gap start", range.from()));
                insert.setLong(4, Columns.lsn(transactions.file(), "gap end", range.to()));
                insert.setLong(5, Columns.micros(wanted.detectedAt()));
                insert.setString(6, reason);
                insert.executeUpdate();
            }
            try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM wal_gaps "
                    + "WHERE cluster_id = ? AND tli = ? AND from_lsn = ? AND to_lsn = ?")) {
                select.setLong(1, key.id());
                select.setLong(2, range.timeline().value());
                select.setLong(3, range.from().value());
                select.setLong(4, range.to().value());
                return readAll(select, cluster).getFirst();
            }
        });
    }

    /** The recorded gaps of {@code cluster}, in LSN order. */
    public List<WalGapRow> list(String cluster) {
        return transactions.read("listing the WAL gaps of cluster \"%s\"".formatted(cluster), connection -> {
            ClusterKey key = ClusterIds.require(connection, transactions.file(), cluster);
            try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM wal_gaps "
                    + "WHERE cluster_id = ? ORDER BY from_lsn, tli")) {
                select.setLong(1, key.id());
                return readAll(select, cluster);
            }
        });
    }

    private static List<WalGapRow> readAll(PreparedStatement select, String cluster) throws SQLException {
        List<WalGapRow> result = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                LsnRange range = new LsnRange(Columns.getTimeline(rows, "tli"), Columns.getLsn(rows, "from_lsn"),
                        Columns.getLsn(rows, "to_lsn"));
                result.add(new WalGapRow(rows.getLong("id"), cluster, range, Columns.getInstant(rows, "detected_at"),
                        rows.getString("reason")));
            }
        }
        return result;
    }
}
