package dev.cellar.catalog;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The history of verification restores. Obtained from {@link Catalog#verifications()}.
 *
 * <p>Thread-safe; every method is one short transaction and blocks while another process holds the
 * catalog's write lock (at most the busy timeout). Arguments must not be {@code null}.
 */
public final class VerificationQueries {
    private static final String SELECT = "SELECT v.id, c.name AS cluster, v.backup_id, v.started_at, v.ended_at, "
            + "v.target, v.outcome, v.message, v.details FROM verifications v JOIN clusters c ON c.id = v.cluster_id ";

    private final Transactions transactions;

    VerificationQueries(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Records that a verification of backup {@code backupId} of {@code cluster}, restoring to
     * {@code target}, started.
     *
     * @return the running verification, with its new ID
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster or backup is unknown,
     *                         or the backup belongs to another cluster
     */
    public VerificationRow start(String cluster, String backupId, String target, Instant startedAt) {
        Objects.requireNonNull(backupId, "backupId");
        VerificationRow wanted = new VerificationRow(0, cluster, Optional.of(backupId), startedAt, Optional.empty(),
                target, VerificationOutcome.RUNNING, Optional.empty(), Optional.empty());
        return transactions.write("recording the start of a verification of backup %s".formatted(backupId),
                connection -> {
                    long clusterId = ClusterIds.require(connection, transactions.file(), cluster).id();
                    BackupRow backup = BackupRows.find(connection, backupId).orElseThrow(() ->
                            CatalogErrors.failure(transactions.file(), "no backup %s".formatted(backupId), null));
                    if (!backup.cluster().equals(cluster)) {
                        throw CatalogErrors.failure(transactions.file(), "backup %s belongs to cluster \"%s\", not \"%s\""
                                .formatted(backupId, backup.cluster(), cluster), null);
                    }
                    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO verifications "
                            + "(cluster_id, backup_id, started_at, target, outcome) VALUES (?, ?, ?, ?, 'running') "
                            + "RETURNING id")) {
                        insert.setLong(1, clusterId);
                        insert.setString(2, backupId);
                        insert.setLong(3, Columns.micros(wanted.startedAt()));
                        insert.setString(4, target);
                        return find(connection, Columns.returnedId(insert)).orElseThrow();
                    }
                });
    }

    /**
     * Records how running verification {@code id} ended.
     *
     * @param outcome {@link VerificationOutcome#PASSED} or {@link VerificationOutcome#FAILED}
     * @param message a one-line summary
     * @param details the checks and their results as a JSON document
     * @return the ended verification
     * @throws IllegalArgumentException if {@code outcome} is {@link VerificationOutcome#RUNNING}
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if there is no such verification, it
     *                         has already ended, or {@code details} is not valid JSON
     */
    public VerificationRow finish(long id, VerificationOutcome outcome, Instant endedAt, String message,
                                  String details) {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(details, "details");
        if (outcome == VerificationOutcome.RUNNING) {
            throw new IllegalArgumentException("a verification cannot finish as running");
        }
        return transactions.write("recording the end of verification %d".formatted(id), connection -> {
            VerificationRow verification = find(connection, id).orElseThrow(() ->
                    CatalogErrors.failure(transactions.file(), "no verification %d".formatted(id), null));
            if (verification.outcome() != VerificationOutcome.RUNNING) {
                throw CatalogErrors.failure(transactions.file(), "verification %d already ended at %s as %s"
                        .formatted(id, verification.endedAt().orElseThrow(), Keywords.of(verification.outcome())), null);
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE verifications SET ended_at = ?, outcome = ?, message = ?, details = ? WHERE id = ?")) {
                update.setLong(1, Columns.micros(endedAt));
                update.setString(2, Keywords.of(outcome));
                update.setString(3, message);
                update.setString(4, details);
                update.setLong(5, id);
                update.executeUpdate();
            }
            return find(connection, id).orElseThrow();
        });
    }

    /** Verification {@code id}, if recorded. */
    public Optional<VerificationRow> find(long id) {
        return transactions.read("reading verification %d".formatted(id), connection -> find(connection, id));
    }

    /**
     * The {@code limit} most recently started verifications of {@code cluster}, newest first.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown
     */
    public List<VerificationRow> recent(String cluster, int limit) {
        return transactions.read("listing verifications of cluster \"%s\"".formatted(cluster), connection -> {
            long clusterId = ClusterIds.require(connection, transactions.file(), cluster).id();
            try (PreparedStatement select = connection.prepareStatement(
                    SELECT + "WHERE v.cluster_id = ? ORDER BY v.started_at DESC, v.id DESC LIMIT ?")) {
                select.setLong(1, clusterId);
                select.setInt(2, limit);
                return readAll(select);
            }
        });
    }

    /** The verifications of backup {@code backupId}, newest first. */
    public List<VerificationRow> ofBackup(String backupId) {
        Objects.requireNonNull(backupId, "backupId");
        return transactions.read("listing verifications of backup %s".formatted(backupId), connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    SELECT + "WHERE v.backup_id = ? ORDER BY v.started_at DESC, v.id DESC")) {
                select.setString(1, backupId);
                return readAll(select);
            }
        });
    }

    private static Optional<VerificationRow> find(Connection connection, long id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT + "WHERE v.id = ?")) {
            select.setLong(1, id);
            return readAll(select).stream().findFirst();
        }
    }

    private static List<VerificationRow> readAll(PreparedStatement select) throws SQLException {
        List<VerificationRow> result = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                result.add(new VerificationRow(rows.getLong("id"), rows.getString("cluster"),
                        Columns.getOptionalText(rows, "backup_id"), Columns.getInstant(rows, "started_at"),
                        Columns.getOptionalInstant(rows, "ended_at"), rows.getString("target"),
                        Keywords.parse(VerificationOutcome.class, rows.getString("outcome")),
                        Columns.getOptionalText(rows, "message"), Columns.getOptionalText(rows, "details")));
            }
        }
        return result;
    }
}
