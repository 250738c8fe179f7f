package dev.cellar.catalog;

import dev.cellar.catalog.ClusterIds.ClusterKey;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The archived WAL of each cluster: recording files, where their copies are, and which files a
 * replay needs. Obtained from {@link Catalog#wal()}.
 *
 * <p>WAL facts are never overwritten: recording a file again with the same content is a no-op, and
 * with different content an error. Only the location flags ({@code local}, {@code offsite}) change.
 *
 * <p>Thread-safe; every method is one short transaction and blocks while another process holds the
 * catalog's write lock (at most the busy timeout). Arguments must not be {@code null}.
 */
public final class WalQueries {
    private static final String COLUMNS = "tli, segment_no, is_partial, end_lsn, size, sha256, stored_size, "
            + "stored_sha256, codec, object_key, local, offsite, archived_at";

    private final Transactions transactions;

    WalQueries(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Catalogues an archived WAL file.
     *
     * @return {@link WriteOutcome#INSERTED}, or {@link WriteOutcome#UNCHANGED} if the same file (same
     *         checksums, sizes, end, codec and object key) was catalogued before; its location flags
     *         and time are then left as they were
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the file is catalogued with other
     *                         content (the message names cluster, segment and both checksums), the
     *                         cluster is unknown or has another segment size, or the catalog fails
     */
    public WriteOutcome record(WalSegmentRow row) {
        Objects.requireNonNull(row, "row");
        return transactions.write("recording WAL file %s of cluster \"%s\"".formatted(row.fileName(), row.cluster()),
                connection -> record(connection, new HashMap<>(), row));
    }

    /**
     * Catalogues many archived WAL files in one transaction, as a rebuild from the repository does:
     * one commit (and one fsync) instead of one per file. All or nothing: if one file conflicts,
     * none is recorded.
     *
     * @return what happened to each file, in the order given
     * @throws CellarException as {@link #record(WalSegmentRow)}, for the first file that fails
     */
    public List<WriteOutcome> recordAll(List<WalSegmentRow> rows) {
        List<WalSegmentRow> copy = List.copyOf(rows);
        return transactions.write("recording %d WAL files".formatted(copy.size()), connection -> {
            Map<String, ClusterKey> clusters = new HashMap<>();
            List<WriteOutcome> outcomes = new ArrayList<>(copy.size());
            for (WalSegmentRow row : copy) {
                outcomes.add(record(connection, clusters, row));
            }
            return outcomes;
        });
    }

    private WriteOutcome record(Connection connection, Map<String, ClusterKey> clusters, WalSegmentRow row)
            throws SQLException {
        ClusterKey cluster = clusters.get(row.cluster());
        if (cluster == null) {
            cluster = ClusterIds.require(connection, transactions.file(), row.cluster());
            clusters.put(row.cluster(), cluster);
        }
        if (!cluster.walSegmentSize().equals(row.segment().size())) {
            throw CatalogErrors.failure(transactions.file(),
                    "WAL file %s of cluster \"%s\" is a %s segment, but the cluster's segments are %s"
                            .formatted(row.fileName(), row.cluster(), row.segment().size(), cluster.walSegmentSize()),
                    null);
        }
        Optional<WalSegmentRow> existing = find(connection, cluster, row.cluster(), row.segment(), row.partial());
        if (existing.isPresent()) {
            checkSameFile(existing.get(), row);
            return WriteOutcome.UNCHANGED;
        }
        insert(connection, cluster.id(), row);
        return WriteOutcome.INSERTED;
    }

    private void insert(Connection connection, long clusterId, WalSegmentRow row) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO wal_segments (cluster_id, " + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, clusterId);
            insert.setLong(2, row.segment().timeline().value());
            insert.setLong(3, row.segment().segmentNumber());
            insert.setBoolean(4, row.partial());
            Columns.setLsn(insert, 5, transactions.file(), "end of WAL file " + row.fileName(),
                    row.partial() ? Optional.of(row.end()) : Optional.empty());
            insert.setLong(6, row.size());
            insert.setString(7, row.sha256());
            insert.setLong(8, row.storedSize());
            insert.setString(9, row.storedSha256());
            insert.setString(10, row.codec());
            insert.setString(11, row.objectKey());
            insert.setBoolean(12, row.local());
            insert.setBoolean(13, row.offsite());
            insert.setLong(14, Columns.micros(row.archivedAt()));
            insert.executeUpdate();
        }
    }

    private void checkSameFile(WalSegmentRow known, WalSegmentRow offered) {
        String what = "WAL file %s of cluster \"%s\"".formatted(offered.fileName(), offered.cluster());
        String hint = "WAL is never overwritten: two different copies of one segment mean that a second server wrote "
                + "the same timeline, or that one copy is damaged; stop and compare them";
        if (!known.sha256().equals(offered.sha256())) {
            throw CatalogErrors.failure(transactions.file(),
                    "%s is already catalogued with SHA-256 %s, but the new copy has SHA-256 %s"
                            .formatted(what, known.sha256(), offered.sha256()), hint);
        }
        List<String> differences = new ArrayList<>();
        addIfDifferent(differences, "size", known.size(), offered.size());
        addIfDifferent(differences, "end", known.end(), offered.end());
        addIfDifferent(differences, "stored size", known.storedSize(), offered.storedSize());
        addIfDifferent(differences, "stored SHA-256", known.storedSha256(), offered.storedSha256());
        addIfDifferent(differences, "codec", known.codec(), offered.codec());
        addIfDifferent(differences, "object key", known.objectKey(), offered.objectKey());
        if (!differences.isEmpty()) {
            throw CatalogErrors.failure(transactions.file(),
                    "%s is already catalogued with SHA-256 %s and %s".formatted(what, known.sha256(),
                            String.join(", ", differences)), hint);
        }
    }

    private static void addIfDifferent(List<String> differences, String field, Object known, Object offered) {
        if (!known.equals(offered)) {
            differences.add("%s %s, not %s".formatted(field, known, offered));
        }
    }

    /**
     * Records where copies of a catalogued WAL file are: in the local repository, offsite, both.
     * A file that is in neither place should lose its row rather than be recorded so.
     *
     * @return {@link WriteOutcome#UPDATED}, or {@link WriteOutcome#UNCHANGED} if the flags were already so
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the file is not catalogued
     */
    public WriteOutcome setLocations(String cluster, WalSegmentName segment, boolean partial, boolean local,
                                     boolean offsite) {
        Objects.requireNonNull(segment, "segment");
        String fileName = partial ? segment.partialFileName() : segment.fileName();
        return transactions.write("recording the locations of WAL file %s of cluster \"%s\"".formatted(fileName, cluster),
                connection -> {
                    ClusterKey key = ClusterIds.require(connection, transactions.file(), cluster);
                    WalSegmentRow known = find(connection, key, cluster, segment, partial).orElseThrow(() ->
                            CatalogErrors.failure(transactions.file(),
                                    "WAL file %s of cluster \"%s\" is not catalogued".formatted(fileName, cluster), null));
                    if (known.local() == local && known.offsite() == offsite) {
                        return WriteOutcome.UNCHANGED;
                    }
                    try (PreparedStatement update = connection.prepareStatement("UPDATE wal_segments SET local = ?, "
                            + "offsite = ? WHERE cluster_id = ? AND tli = ? AND segment_no = ? AND is_partial = ?")) {
                        update.setBoolean(1, local);
                        update.setBoolean(2, offsite);
                        update.setLong(3, key.id());
                        update.setLong(4, segment.timeline().value());
                        update.setLong(5, segment.segmentNumber());
                        update.setBoolean(6, partial);
                        update.executeUpdate();
                    }
                    return WriteOutcome.UPDATED;
                });
    }

    /** The catalogued file of {@code segment} (its {@code .partial} file if {@code partial}), if any. */
    public Optional<WalSegmentRow> find(String cluster, WalSegmentName segment, boolean partial) {
        Objects.requireNonNull(segment, "segment");
        return transactions.read("reading WAL segment %s of cluster \"%s\"".formatted(segment, cluster), connection ->
                find(connection, ClusterIds.require(connection, transactions.file(), cluster), cluster, segment, partial));
    }

    /**
     * Every archived WAL file of {@code cluster}, by timeline, segment, then complete before partial.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown or the catalog fails
     */
    public List<WalSegmentRow> list(String cluster) {
        return transactions.read("listing the WAL of cluster \"%s\"".formatted(cluster), connection -> {
            ClusterKey key = ClusterIds.require(connection, transactions.file(), cluster);
            try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM wal_segments "
                    + "WHERE cluster_id = ? ORDER BY tli, segment_no, is_partial")) {
                select.setLong(1, key.id());
                return readAll(select, key, cluster);
            }
        });
    }

    /**
     * For each timeline of {@code cluster} with archived WAL, lowest first: its first and last
     * segment, and where the WAL of the last one ends.
     */
    public List<TimelineWalExtent> timelineExtents(String cluster) {
        return transactions.read("reading the WAL extents of cluster \"%s\"".formatted(cluster), connection -> {
            ClusterKey key = ClusterIds.require(connection, transactions.file(), cluster);
            List<TimelineWalExtent> extents = new ArrayList<>();
            // partial_end is NULL when the last segment has a complete file, which ends at the segment's end.
            try (PreparedStatement select = connection.prepareStatement("""
                    WITH per_timeline AS (
                        SELECT tli, min(segment_no) AS first, max(segment_no) AS last,
                               count(DISTINCT segment_no) AS segments
                          FROM wal_segments WHERE cluster_id = ?1 GROUP BY tli)
                    SELECT p.tli, p.first, p.last, p.segments,
                           (SELECT CASE WHEN min(l.is_partial) = 0 THEN NULL ELSE max(l.end_lsn) END
                              FROM wal_segments l
                             WHERE l.cluster_id = ?1 AND l.tli = p.tli AND l.segment_no = p.last) AS partial_end
                      FROM per_timeline p
                     ORDER BY p.tli""")) {
                select.setLong(1, key.id());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        TimelineId timeline = Columns.getTimeline(rows, "tli");
                        WalSegmentName first = new WalSegmentName(timeline, rows.getLong("first"), key.walSegmentSize());
                        WalSegmentName last = new WalSegmentName(timeline, rows.getLong("last"), key.walSegmentSize());
                        Lsn end = Columns.getOptionalLsn(rows, "partial_end").orElse(last.endLsn());
                        extents.add(new TimelineWalExtent(first, last, end, rows.getLong("segments")));
                    }
                }
            }
            return extents;
        });
    }

    /**
     * The catalogued files that replay {@code [from, to)} along {@code path}, and the stretches none
     * of them holds, chosen as {@link WalCoveragePlanner} describes.
     *
     * @param path the history of the timeline to recover to; its ancestors give the path
     * @param from the first position needed, such as a backup's start LSN
     * @param to   the exclusive end of what is needed, such as the recovery target
     * @throws IllegalArgumentException if {@code to} is before {@code from}
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown or the catalog fails
     */
    public WalCoverage walCoverage(String cluster, TimelineHistory path, Lsn from, Lsn to) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        return transactions.read("planning the WAL from %s to %s on timeline %s of cluster \"%s\""
                .formatted(from, to, path.timeline(), cluster), connection -> {
            ClusterKey key = ClusterIds.require(connection, transactions.file(), cluster);
            List<WalSegmentRow> available = new ArrayList<>();
            for (WalCoveragePlanner.Stretch stretch : WalCoveragePlanner.stretches(path, key.walSegmentSize(), from, to)) {
                try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM wal_segments "
                        + "WHERE cluster_id = ? AND tli = ? AND segment_no BETWEEN ? AND ?")) {
                    select.setLong(1, key.id());
                    select.setLong(2, stretch.timeline().value());
                    select.setLong(3, stretch.firstSegment());
                    select.setLong(4, stretch.lastSegment());
                    available.addAll(readAll(select, key, cluster));
                }
            }
            return WalCoveragePlanner.plan(path, key.walSegmentSize(), from, to, available);
        });
    }

    private static Optional<WalSegmentRow> find(Connection connection, ClusterKey key, String cluster,
                                                WalSegmentName segment, boolean partial) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM wal_segments "
                + "WHERE cluster_id = ? AND tli = ? AND segment_no = ? AND is_partial = ?")) {
            select.setLong(1, key.id());
            select.setLong(2, segment.timeline().value());
            select.setLong(3, segment.segmentNumber());
            select.setBoolean(4, partial);
            return readAll(select, key, cluster).stream().findFirst();
        }
    }

    private static List<WalSegmentRow> readAll(PreparedStatement select, ClusterKey key, String cluster)
            throws SQLException {
        List<WalSegmentRow> result = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                WalSegmentName segment = new WalSegmentName(Columns.getTimeline(rows, "tli"),
                        rows.getLong("segment_no"), key.walSegmentSize());
                boolean partial = Columns.getBoolean(rows, "is_partial");
                result.add(new WalSegmentRow(cluster, segment, partial,
                        partial ? Columns.getLsn(rows, "end_lsn") : segment.endLsn(), rows.getLong("size"),
                        rows.getString("sha256"), rows.getLong("stored_size"), rows.getString("stored_sha256"),
                        rows.getString("codec"), rows.getString("object_key"), Columns.getBoolean(rows, "local"),
                        Columns.getBoolean(rows, "offsite"), Columns.getInstant(rows, "archived_at")));
            }
        }
        return result;
    }
}
