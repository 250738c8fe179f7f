package dev.cellar.catalog;

import dev.cellar.catalog.ClusterIds.ClusterKey;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The base backups of each cluster: recording them, pinning them, and finding what a restore or a
 * deletion needs. Obtained from {@link Catalog#backups()}.
 *
 * <p>Thread-safe; every method is one short transaction and blocks while another process holds the
 * catalog's write lock (at most the busy timeout). Arguments must not be {@code null}.
 */
public final class BackupQueries {
    private final Transactions transactions;

    BackupQueries(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Records a backup as it is now, with the databases and tablespaces it holds (replacing those
     * recorded before): call it when a backup starts, as it progresses and when it ends, and from a
     * rebuild with what the repository's {@code backup.json} says. Idempotent.
     *
     * <p>What a backup is cannot change once recorded: its cluster, kind, parent, label, start,
     * PostgreSQL version and origin, and its end point, checkpoint and end time once they are known.
     * Status, sizes and failure message may change. Pins are taken from {@code row} only when the
     * backup is new; later, only {@link #pinUntil}, {@link #pinForever} and {@link #unpin} change
     * them, so that a backup's own progress never undoes a pin someone set meanwhile.
     *
     * @return {@link WriteOutcome#INSERTED}, {@link WriteOutcome#UPDATED}, or
     *         {@link WriteOutcome#UNCHANGED} if the backup was recorded exactly so
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown, a fixed fact
     *                         would change, the parent is catalogued under another cluster, or the
     *                         catalog fails; {@link ErrorCode#INVALID_VALUE} if two databases or two
     *                         tablespaces share an OID
     */
    public WriteOutcome save(BackupRow row, List<BackupDatabase> databases, List<BackupTablespace> tablespaces) {
        Objects.requireNonNull(row, "row");
        List<BackupDatabase> sortedDatabases = sortedByOid(row, "database", databases, BackupDatabase::oid);
        List<BackupTablespace> sortedTablespaces = sortedByOid(row, "tablespace", tablespaces, BackupTablespace::oid);
        return transactions.write("recording backup %s of cluster \"%s\"".formatted(row.id(), row.cluster()),
                connection -> {
                    ClusterKey cluster = ClusterIds.require(connection, transactions.file(), row.cluster());
                    checkParentCluster(connection, row);
                    Optional<BackupRow> existing = BackupRows.find(connection, row.id());
                    if (existing.isEmpty()) {
                        BackupRows.insert(connection, transactions.file(), cluster.id(), row);
                        BackupRows.replaceContents(connection, row.id(), sortedDatabases, sortedTablespaces);
                        return WriteOutcome.INSERTED;
                    }
                    BackupFacts.checkUnchanged(transactions.file(), existing.get(), row);
                    if (existing.get().equals(BackupRows.withPinsOf(row, existing.get()))
                            && BackupRows.databases(connection, row.id()).equals(sortedDatabases)
                            && BackupRows.tablespaces(connection, row.id()).equals(sortedTablespaces)) {
                        return WriteOutcome.UNCHANGED;
                    }
                    BackupRows.update(connection, transactions.file(), cluster.id(), row);
                    BackupRows.replaceContents(connection, row.id(), sortedDatabases, sortedTablespaces);
                    return WriteOutcome.UPDATED;
                });
    }

    private static <T> List<T> sortedByOid(BackupRow row, String what, List<T> items,
                                           ToLongFunction<T> oid) {
        Set<Long> seen = new HashSet<>();
        for (T item : items) {
            if (!seen.add(oid.applyAsLong(item))) {
                throw RowChecks.invalid("backup %s lists %s OID %d twice".formatted(row.id(), what, oid.applyAsLong(item)));
            }
        }
        return items.stream().sorted(Comparator.comparingLong(oid)).toList();
    }

    private void checkParentCluster(Connection connection, BackupRow row) throws SQLException {
        if (row.parentId().isEmpty()) {
            return;
        }
        Optional<BackupRow> parent = BackupRows.find(connection, row.parentId().get());
        if (parent.isPresent() && !parent.get().cluster().equals(row.cluster())) {
            throw CatalogErrors.failure(transactions.file(),
                    "backup %s of cluster \"%s\" names parent %s, which belongs to cluster \"%s\""
                            .formatted(row.id(), row.cluster(), parent.get().id(), parent.get().cluster()),
                    "an incremental backup can only build on a backup of the same cluster");
        }
    }

    /**
     * Keeps backup {@code id} from retention until {@code until} (replacing an earlier date).
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if there is no such backup
     */
    public void pinUntil(String id, Instant until) {
        Objects.requireNonNull(until, "until");
        setPin(id, "pinning backup %s until %s".formatted(id, until), Optional.of(Columns.truncate(until)), false);
    }

    /**
     * Keeps backup {@code id} from retention for ever.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if there is no such backup
     */
    public void pinForever(String id) {
        setPin(id, "pinning backup %s for ever".formatted(id), Optional.empty(), true);
    }

    /**
     * Lets retention decide about backup {@code id} again.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if there is no such backup
     */
    public void unpin(String id) {
        setPin(id, "unpinning backup %s".formatted(id), Optional.empty(), false);
    }

    private void setPin(String id, String operation, Optional<Instant> until, boolean forever) {
        Objects.requireNonNull(id, "id");
        transactions.write(operation, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE backups SET pinned_until = ?, pinned_forever = ? WHERE id = ?")) {
                Columns.setInstant(update, 1, until);
                update.setBoolean(2, forever);
                update.setString(3, id);
                if (update.executeUpdate() == 0) {
                    throw noSuchBackup(id);
                }
            }
            return null;
        });
    }

    /** Backup {@code id}, if catalogued. */
    public Optional<BackupRow> find(String id) {
        Objects.requireNonNull(id, "id");
        return transactions.read("reading backup %s".formatted(id), connection -> BackupRows.find(connection, id));
    }

    /**
     * Backup {@code id}.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if there is no such backup
     */
    public BackupRow get(String id) {
        return find(id).orElseThrow(() -> noSuchBackup(id));
    }

    /** Every backup of {@code cluster}, newest (latest start) first. */
    public List<BackupRow> list(String cluster) {
        return list(cluster, Set.of(BackupStatus.values()));
    }

    /** The backups of {@code cluster} whose status is one of {@code statuses}, newest (latest start) first. */
    public List<BackupRow> list(String cluster, Set<BackupStatus> statuses) {
        Objects.requireNonNull(statuses, "statuses");
        return transactions.read("listing the backups of cluster \"%s\"".formatted(cluster), connection -> {
            ClusterKey key = ClusterIds.require(connection, transactions.file(), cluster);
            if (statuses.isEmpty()) {
                return List.of();
            }
            String placeholders = String.join(", ", Collections.nCopies(statuses.size(), "?"));
            try (PreparedStatement select = connection.prepareStatement(BackupRows.SELECT + "WHERE b.cluster_id = ? "
                    + "AND b.status IN (" + placeholders + ") ORDER BY b.start_time DESC, b.id DESC")) {
                int i = 1;
                select.setLong(i++, key.id());
                for (BackupStatus status : statuses) {
                    select.setString(i++, Keywords.of(status));
                }
                return BackupRows.readAll(select);
            }
        });
    }

    /** The databases backup {@code id} holds, by OID; empty if none are recorded. */
    public List<BackupDatabase> databases(String id) {
        Objects.requireNonNull(id, "id");
        return transactions.read("reading the databases of backup %s".formatted(id),
                connection -> BackupRows.databases(connection, id));
    }

    /** The tablespaces backup {@code id} holds, by OID; empty if none are recorded. */
    public List<BackupTablespace> tablespaces(String id) {
        Objects.requireNonNull(id, "id");
        return transactions.read("reading the tablespaces of backup %s".formatted(id),
                connection -> BackupRows.tablespaces(connection, id));
    }

    /**
     * The incremental backups built directly on backup {@code id}, oldest first: while there are
     * any, deleting {@code id} would break their chains.
     */
    public List<BackupRow> children(String id) {
        Objects.requireNonNull(id, "id");
        return transactions.read("listing the children of backup %s".formatted(id), connection -> {
            try (PreparedStatement select = connection.prepareStatement(BackupRows.SELECT
                    + "WHERE b.parent_id = ? ORDER BY b.start_time, b.id")) {
                select.setString(1, id);
                return BackupRows.readAll(select);
            }
        });
    }

    /**
     * Forgets backup {@code id} (its databases and tablespaces go with it; verifications of it stay,
     * without the link). Call it after the repository deleted the backup's {@code backup.json}.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if there is no such backup, or
     *                         incremental backups still build on it (deleting it would break them)
     */
    public void delete(String id) {
        Objects.requireNonNull(id, "id");
        transactions.write("deleting backup %s".formatted(id), connection -> {
            try (PreparedStatement children = connection.prepareStatement(
                    "SELECT id FROM backups WHERE parent_id = ? ORDER BY start_time, id")) {
                children.setString(1, id);
                List<String> ids = new java.util.ArrayList<>();
                try (java.sql.ResultSet rows = children.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
                if (!ids.isEmpty()) {
                    throw CatalogErrors.failure(transactions.file(), "backup %s is the parent of %s".formatted(id,
                            String.join(", ", ids)), "delete the incremental backups built on it first");
                }
            }
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM backups WHERE id = ?")) {
                delete.setString(1, id);
                if (delete.executeUpdate() == 0) {
                    throw noSuchBackup(id);
                }
            }
            return null;
        });
    }

    /**
     * The chain a restore of backup {@code id} needs: its full backup, each incremental on the way,
     * then {@code id} itself. Statuses are not judged here; see {@link BackupChain#isRestorable()}.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if {@code id} or a backup on the way is
     *                         not catalogued (the message names the missing parent and who needs it),
     *                         or the chain loops or crosses into another cluster
     */
    public BackupChain chain(String id) {
        Objects.requireNonNull(id, "id");
        return transactions.read("following the chain of backup %s".formatted(id), connection -> {
            BackupRow backup = BackupRows.find(connection, id).orElseThrow(() -> noSuchBackup(id));
            Set<String> seen = new LinkedHashSet<>();
            List<BackupRow> chain = new ArrayList<>();
            while (true) {
                if (!seen.add(backup.id())) {
                    throw CatalogErrors.failure(transactions.file(),
                            "the chain of backup %s loops: %s".formatted(id, String.join(" -> ", seen) + " -> " + backup.id()),
                            "the catalog is damaged; rebuild it from the repository");
                }
                chain.addFirst(backup);
                if (backup.parentId().isEmpty()) {
                    return new BackupChain(chain);
                }
                backup = parentOf(connection, id, backup);
            }
        });
    }

    private BackupRow parentOf(Connection connection, String target, BackupRow child) throws SQLException {
        String parentId = child.parentId().orElseThrow();
        BackupRow parent = BackupRows.find(connection, parentId).orElseThrow(() -> CatalogErrors.failure(
                transactions.file(),
                "the chain of backup %s is broken: parent %s of incremental backup %s is not catalogued"
                        .formatted(target, parentId, child.id()),
                ("backup %s cannot be restored; restore an older full backup, or take a new full backup. If the "
                        + "repository still holds %s, rebuild the catalog from it").formatted(target, parentId)));
        if (!parent.cluster().equals(child.cluster())) {
            throw CatalogErrors.failure(transactions.file(),
                    "the chain of backup %s crosses clusters: parent %s of %s belongs to cluster \"%s\", not \"%s\""
                            .formatted(target, parentId, child.id(), parent.cluster(), child.cluster()),
                    "the catalog is damaged; rebuild it from the repository");
        }
        return parent;
    }

    /**
     * The newest restorable backup of {@code cluster} whose consistency point (end LSN) is at or
     * before {@code target} and lies on the timeline path of {@code path}: its end timeline is on
     * the path, and if that is an ancestor, the end is at or before the switch point at which the
     * path left it (a backup on the abandoned part of a timeline is never chosen).
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown or the catalog fails
     */
    public Optional<BackupRow> latestBackupBefore(String cluster, TimelineHistory path, Lsn target) {
        Objects.requireNonNull(target, "target");
        // Stored LSNs are below 2^63, so a larger target bounds nothing: compare with the largest.
        long bound = target.value() < 0 ? Long.MAX_VALUE : target.value();
        return latestOnPath(cluster, path, "b.end_lsn <= ?", bound, "b.end_lsn DESC, b.end_time DESC, b.id DESC",
                "at or before " + target);
    }

    /**
     * The newest restorable backup of {@code cluster} that ended at or before {@code target} and
     * whose end lies on the timeline path of {@code path}, as in {@link #latestBackupBefore(String,
     * TimelineHistory, Lsn)}.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown or the catalog fails
     */
    public Optional<BackupRow> latestBackupBefore(String cluster, TimelineHistory path, Instant target) {
        Objects.requireNonNull(target, "target");
        return latestOnPath(cluster, path, "b.end_time <= ?", Columns.micros(Columns.truncate(target)),
                "b.end_time DESC, b.end_lsn DESC, b.id DESC", "ended at or before " + target);
    }

    private Optional<BackupRow> latestOnPath(String cluster, TimelineHistory path, String targetCondition,
                                             long targetValue, String order, String describeTarget) {
        Objects.requireNonNull(path, "path");
        List<TimelineHistory.Span> spans = path.path();
        // One alternative per timeline of the path: an ancestor only up to its switch point.
        List<String> alternatives = new ArrayList<>();
        for (TimelineHistory.Span span : spans) {
            alternatives.add(span.end().isPresent() ? "(b.end_tli = ? AND b.end_lsn <= ?)" : "b.end_tli = ?");
        }
        String sql = BackupRows.SELECT + "WHERE b.cluster_id = ? AND b.status = 'complete' AND " + targetCondition
                + " AND (" + String.join(" OR ", alternatives) + ") ORDER BY " + order + " LIMIT 1";
        return transactions.read("finding the newest backup of cluster \"%s\" %s on timeline %s"
                .formatted(cluster, describeTarget, path.timeline()), connection -> {
            ClusterKey key = ClusterIds.require(connection, transactions.file(), cluster);
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                int i = 1;
                select.setLong(i++, key.id());
                select.setLong(i++, targetValue);
                for (TimelineHistory.Span span : spans) {
                    select.setLong(i++, span.timeline().value());
                    if (span.end().isPresent()) {
                        select.setLong(i++, Columns.lsn(transactions.file(), "switch point", span.end().get()));
                    }
                }
                return BackupRows.readAll(select).stream().findFirst();
            }
        });
    }

    private CellarException noSuchBackup(String id) {
        return CatalogErrors.failure(transactions.file(), "no backup %s".formatted(id),
                "list the cluster's backups to see which exist");
    }
}
