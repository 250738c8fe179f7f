package dev.cellar.catalog;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes {@code backups} rows and their databases and tablespaces, for the backup
 * queries. Every method runs on the caller's transaction. Stateless.
 */
final class BackupRows {
    /** The columns {@link #readAll} expects, from {@code backups b JOIN clusters c}. */
    static final String SELECT = "SELECT b.id, c.name AS cluster, b.kind, b.parent_id, b.label, b.start_lsn, "
            + "b.start_tli, b.end_lsn, b.end_tli, b.checkpoint_lsn, b.start_time, b.end_time, b.pg_version, "
            + "b.backup_from, b.logical_size, b.stored_size, b.status, b.failure_message, b.pinned_until, "
            + "b.pinned_forever FROM backups b JOIN clusters c ON c.id = b.cluster_id ";

    private static final String ASSIGNMENTS = "cluster_id = ?, kind = ?, parent_id = ?, label = ?, start_lsn = ?, "
            + "start_tli = ?, end_lsn = ?, end_tli = ?, checkpoint_lsn = ?, start_time = ?, end_time = ?, "
            + "pg_version = ?, backup_from = ?, logical_size = ?, stored_size = ?, status = ?, failure_message = ?";

    private BackupRows() {
    }

    static Optional<BackupRow> find(Connection connection, String id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT + "WHERE b.id = ?")) {
            select.setString(1, id);
            return readAll(select).stream().findFirst();
        }
    }

    static List<BackupRow> readAll(PreparedStatement select) throws SQLException {
        List<BackupRow> result = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                result.add(new BackupRow(rows.getString("id"), rows.getString("cluster"),
                        Keywords.parse(BackupKind.class, rows.getString("kind")),
                        Columns.getOptionalText(rows, "parent_id"), rows.getString("label"),
                        Columns.getLsn(rows, "start_lsn"), Columns.getTimeline(rows, "start_tli"),
                        Columns.getOptionalLsn(rows, "end_lsn"), Columns.getOptionalTimeline(rows, "end_tli"),
                        Columns.getOptionalLsn(rows, "checkpoint_lsn"), Columns.getInstant(rows, "start_time"),
                        Columns.getOptionalInstant(rows, "end_time"), rows.getInt("pg_version"),
                        Keywords.parse(BackupOrigin.class, rows.getString("backup_from")),
                        rows.getLong("logical_size"), rows.getLong("stored_size"),
                        Keywords.parse(BackupStatus.class, rows.getString("status")),
                        Columns.getOptionalText(rows, "failure_message"), Columns.getOptionalInstant(rows, "pinned_until"),
                        Columns.getBoolean(rows, "pinned_forever")));
            }
        }
        return result;
    }

    static void insert(Connection connection, Path catalog, long clusterId, BackupRow row) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO backups (id, cluster_id, kind, "
                + "parent_id, label, start_lsn, start_tli, end_lsn, end_tli, checkpoint_lsn, start_time, end_time, "
                + "pg_version, backup_from, logical_size, stored_size, status, failure_message, pinned_until, "
                + "pinned_forever) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, row.id());
            int next = bindFrom(insert, 2, catalog, clusterId, row);
            Columns.setInstant(insert, next, row.pinnedUntil());
            insert.setBoolean(next + 1, row.pinnedForever());
            insert.executeUpdate();
        }
    }

    /** Updates every column but the ID and the pins, which only their own methods change. */
    static void update(Connection connection, Path catalog, long clusterId, BackupRow row) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE backups SET " + ASSIGNMENTS + " WHERE id = ?")) {
            int next = bindFrom(update, 1, catalog, clusterId, row);
            update.setString(next, row.id());
            update.executeUpdate();
        }
    }

    /** Binds every column but the ID and the pins, in the order of {@link #ASSIGNMENTS}; returns the next index. */
    private static int bindFrom(PreparedStatement statement, int first, Path catalog, long clusterId, BackupRow row)
            throws SQLException {
        String backup = "backup " + row.id();
        int i = first;
        statement.setLong(i++, clusterId);
        statement.setString(i++, Keywords.of(row.kind()));
        Columns.setText(statement, i++, row.parentId());
        statement.setString(i++, row.label());
        statement.setLong(i++, Columns.lsn(catalog, "start LSN of " + backup, row.startLsn()));
        statement.setLong(i++, row.startTimeline().value());
        Columns.setLsn(statement, i++, catalog, "end LSN of " + backup, row.endLsn());
        Columns.setTimeline(statement, i++, row.endTimeline());
        Columns.setLsn(statement, i++, catalog, "checkpoint LSN of " + backup, row.checkpointLsn());
        statement.setLong(i++, Columns.micros(row.startTime()));
        Columns.setInstant(statement, i++, row.endTime());
        statement.setInt(i++, row.pgVersion());
        statement.setString(i++, Keywords.of(row.backupFrom()));
        statement.setLong(i++, row.logicalSize());
        statement.setLong(i++, row.storedSize());
        statement.setString(i++, Keywords.of(row.status()));
        Columns.setText(statement, i++, row.failureMessage());
        return i;
    }

    /** {@code row} with the pins of {@code pinsFrom}. */
    static BackupRow withPinsOf(BackupRow row, BackupRow pinsFrom) {
        return new BackupRow(row.id(), row.cluster(), row.kind(), row.parentId(), row.label(), row.startLsn(),
                row.startTimeline(), row.endLsn(), row.endTimeline(), row.checkpointLsn(), row.startTime(),
                row.endTime(), row.pgVersion(), row.backupFrom(), row.logicalSize(), row.storedSize(), row.status(),
                row.failureMessage(), pinsFrom.pinnedUntil(), pinsFrom.pinnedForever());
    }

    static List<BackupDatabase> databases(Connection connection, String id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT oid, name FROM backup_databases WHERE backup_id = ? ORDER BY oid")) {
            select.setString(1, id);
            List<BackupDatabase> result = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    result.add(new BackupDatabase(rows.getLong("oid"), rows.getString("name")));
                }
            }
            return result;
        }
    }

    static List<BackupTablespace> tablespaces(Connection connection, String id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT oid, name, location FROM backup_tablespaces WHERE backup_id = ? ORDER BY oid")) {
            select.setString(1, id);
            List<BackupTablespace> result = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    result.add(new BackupTablespace(rows.getLong("oid"), rows.getString("name"),
                            rows.getString("location")));
                }
            }
            return result;
        }
    }

    /** Replaces the databases and tablespaces of backup {@code id}. */
    static void replaceContents(Connection connection, String id, List<BackupDatabase> databases,
                                List<BackupTablespace> tablespaces) throws SQLException {
        try (PreparedStatement deleteDatabases = connection.prepareStatement(
                "DELETE FROM backup_databases WHERE backup_id = ?");
             PreparedStatement deleteTablespaces = connection.prepareStatement(
                     "DELETE FROM backup_tablespaces WHERE backup_id = ?")) {
            deleteDatabases.setString(1, id);
            deleteDatabases.executeUpdate();
            deleteTablespaces.setString(1, id);
            deleteTablespaces.executeUpdate();
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO backup_databases (backup_id, oid, name) VALUES (?, ?, ?)")) {
            for (BackupDatabase database : databases) {
                insert.setString(1, id);
                insert.setLong(2, database.oid());
                insert.setString(3, database.name());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO backup_tablespaces (backup_id, oid, name, location) VALUES (?, ?, ?, ?)")) {
            for (BackupTablespace tablespace : tablespaces) {
                insert.setString(1, id);
                insert.setLong(2, tablespace.oid());
                insert.setString(3, tablespace.name());
                insert.setString(4, tablespace.location());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
