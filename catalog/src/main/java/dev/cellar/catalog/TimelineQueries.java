package dev.cellar.catalog;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The timelines of each cluster and how they branch. Obtained from {@link Catalog#timelines()}.
 *
 * <p>Thread-safe; every method is one short transaction and blocks while another process holds the
 * catalog's write lock (at most the busy timeout). Arguments must not be {@code null}.
 */
public final class TimelineQueries {
    private static final String COLUMNS = "c.name, t.tli, t.parent_tli, t.switch_lsn, t.history_sha256";

    private final Transactions transactions;

    TimelineQueries(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Records {@code history.timeline()} and its ancestors without a history checksum: for timeline
     * 1, which has no history file, or while the file is not stored. Otherwise as
     * {@link #record(String, TimelineHistory, String)}.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} as {@link #record(String, TimelineHistory, String)}
     */
    public WriteOutcome record(String cluster, TimelineHistory history) {
        return record(cluster, history, Optional.empty());
    }

    /**
     * Records {@code history.timeline()} with the checksum of its stored {@code .history} file, and
     * every ancestor the history names (without checksum, unless already known). Idempotent:
     * recording what is already known changes nothing, and a checksum is filled in where it was
     * missing.
     *
     * @return {@link WriteOutcome#INSERTED} if any timeline was new, {@link WriteOutcome#UPDATED} if
     *         only checksums were filled in, else {@link WriteOutcome#UNCHANGED}
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown, the history
     *                         does not reach back to timeline 1, or it contradicts what is catalogued
     *                         (another parent or switch point, another checksum)
     */
    public WriteOutcome record(String cluster, TimelineHistory history, String historySha256) {
        return record(cluster, history, Optional.of(historySha256));
    }

    private WriteOutcome record(String cluster, TimelineHistory history, Optional<String> historySha256) {
        Objects.requireNonNull(history, "history");
        List<TimelineRow> rows = rowsOf(cluster, history, historySha256);
        return transactions.write("recording timeline %s of cluster \"%s\"".formatted(history.timeline(), cluster),
                connection -> {
                    long clusterId = ClusterIds.require(connection, transactions.file(), cluster).id();
                    boolean inserted = false;
                    boolean updated = false;
                    for (TimelineRow row : rows) {
                        WriteOutcome one = upsert(connection, clusterId, row);
                        inserted |= one == WriteOutcome.INSERTED;
                        updated |= one == WriteOutcome.UPDATED;
                    }
                    return inserted ? WriteOutcome.INSERTED : updated ? WriteOutcome.UPDATED : WriteOutcome.UNCHANGED;
                });
    }

    private List<TimelineRow> rowsOf(String cluster, TimelineHistory history, Optional<String> historySha256) {
        List<TimelineHistory.Entry> entries = history.entries();
        if (!entries.isEmpty() && !entries.getFirst().parent().equals(TimelineId.INITIAL)) {
            throw CatalogErrors.failure(transactions.file(),
                    "the history of timeline %s of cluster \"%s\" begins at timeline %s, not 1"
                            .formatted(history.timeline(), cluster, entries.getFirst().parent()),
                    "PostgreSQL history files name every ancestor back to timeline 1; the file is incomplete");
        }
        List<TimelineRow> rows = new ArrayList<>();
        for (int i = 0; i <= entries.size(); i++) {
            TimelineId timeline = i < entries.size() ? entries.get(i).parent() : history.timeline();
            Optional<TimelineHistory.Entry> branch = i == 0 ? Optional.empty() : Optional.of(entries.get(i - 1));
            rows.add(new TimelineRow(cluster, timeline, branch.map(TimelineHistory.Entry::parent),
                    branch.map(TimelineHistory.Entry::switchPoint),
                    i == entries.size() ? historySha256 : Optional.empty()));
        }
        return rows;
    }

    private WriteOutcome upsert(Connection connection, long clusterId, TimelineRow row) throws SQLException {
        Optional<TimelineRow> existing = find(connection, clusterId, row.timeline());
        if (existing.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO timelines (cluster_id, tli, parent_tli, switch_lsn, history_sha256) VALUES (?, ?, ?, ?, ?)")) {
                insert.setLong(1, clusterId);
                insert.setLong(2, row.timeline().value());
                Columns.setTimeline(insert, 3, row.parent());
                Columns.setLsn(insert, 4, transactions.file(), "switch LSN", row.switchLsn());
                Columns.setText(insert, 5, row.historySha256());
                insert.executeUpdate();
            }
            return WriteOutcome.INSERTED;
        }
        TimelineRow known = existing.get();
        if (!known.parent().equals(row.parent()) || !known.switchLsn().equals(row.switchLsn())) {
            throw CatalogErrors.failure(transactions.file(),
                    "timeline %s of cluster \"%s\" is catalogued as branching off timeline %s at %s, but the new history says timeline %s at %s"
                            .formatted(row.timeline(), row.cluster(), describe(known.parent()),
                                    describe(known.switchLsn()), describe(row.parent()), describe(row.switchLsn())),
                    "PostgreSQL never rewrites a timeline's history: check that cluster \"%s\" is still the cluster it was"
                            .formatted(row.cluster()));
        }
        if (row.historySha256().isEmpty() || row.historySha256().equals(known.historySha256())) {
            return WriteOutcome.UNCHANGED;
        }
        if (known.historySha256().isPresent()) {
            throw CatalogErrors.failure(transactions.file(),
                    "the history file of timeline %s of cluster \"%s\" is catalogued with SHA-256 %s, but the new one has %s"
                            .formatted(row.timeline(), row.cluster(), known.historySha256().get(),
                                    row.historySha256().get()),
                    "a timeline's history file never changes; compare the stored file with the server's");
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE timelines SET history_sha256 = ? WHERE cluster_id = ? AND tli = ?")) {
            update.setString(1, row.historySha256().get());
            update.setLong(2, clusterId);
            update.setLong(3, row.timeline().value());
            update.executeUpdate();
        }
        return WriteOutcome.UPDATED;
    }

    private static String describe(Optional<?> value) {
        return value.map(String::valueOf).orElse("(none)");
    }

    /** The timeline {@code timeline} of {@code cluster}, if catalogued. */
    public Optional<TimelineRow> find(String cluster, TimelineId timeline) {
        Objects.requireNonNull(timeline, "timeline");
        return transactions.read("reading timeline %s of cluster \"%s\"".formatted(timeline, cluster), connection ->
                find(connection, ClusterIds.require(connection, transactions.file(), cluster).id(), timeline));
    }

    /** The catalogued timelines of {@code cluster}, lowest first. */
    public List<TimelineRow> list(String cluster) {
        return transactions.read("listing timelines of cluster \"%s\"".formatted(cluster), connection -> {
            long clusterId = ClusterIds.require(connection, transactions.file(), cluster).id();
            try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS
                    + " FROM timelines t JOIN clusters c ON c.id = t.cluster_id WHERE t.cluster_id = ? ORDER BY t.tli")) {
                select.setLong(1, clusterId);
                return readAll(select);
            }
        });
    }

    /**
     * The path to {@code timeline} as a {@link TimelineHistory}, rebuilt from the catalogued
     * ancestry; empty if the timeline is not catalogued. The reasons of its entries are empty: the
     * catalog does not keep them (the stored {@code .history} file does).
     */
    public Optional<TimelineHistory> history(String cluster, TimelineId timeline) {
        Objects.requireNonNull(timeline, "timeline");
        return transactions.read("reading the history of timeline %s of cluster \"%s\"".formatted(timeline, cluster),
                connection -> {
                    long clusterId = ClusterIds.require(connection, transactions.file(), cluster).id();
                    List<TimelineHistory.Entry> entries = new ArrayList<>();
                    Optional<TimelineRow> row = find(connection, clusterId, timeline);
                    if (row.isEmpty()) {
                        return Optional.empty();
                    }
                    while (row.get().parent().isPresent()) {
                        TimelineId parent = row.get().parent().get();
                        Lsn switchLsn = row.get().switchLsn().orElseThrow();
                        entries.addFirst(new TimelineHistory.Entry(parent, switchLsn, ""));
                        // The foreign key from a timeline to its parent guarantees the parent's row.
                        row = find(connection, clusterId, parent);
                    }
                    return Optional.of(new TimelineHistory(timeline, entries));
                });
    }

    private static Optional<TimelineRow> find(Connection connection, long clusterId, TimelineId timeline)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS
                + " FROM timelines t JOIN clusters c ON c.id = t.cluster_id WHERE t.cluster_id = ? AND t.tli = ?")) {
            select.setLong(1, clusterId);
            select.setLong(2, timeline.value());
            return readAll(select).stream().findFirst();
        }
    }

    private static List<TimelineRow> readAll(PreparedStatement select) throws SQLException {
        List<TimelineRow> result = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                result.add(new TimelineRow(rows.getString("name"), Columns.getTimeline(rows, "tli"),
                        Columns.getOptionalTimeline(rows, "parent_tli"), Columns.getOptionalLsn(rows, "switch_lsn"),
                        Columns.getOptionalText(rows, "history_sha256")));
            }
        }
        return result;
    }
}
