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
 * The history of jobs the server ran. Obtained from {@link Catalog#jobs()}.
 *
 * <p>Thread-safe; every method is one short transaction and blocks while another process holds the
 * catalog's write lock (at most the busy timeout). Arguments must not be {@code null}.
 */
public final class JobQueries {
    private static final String SELECT = "SELECT j.id, c.name AS cluster, j.type, j.started_at, j.ended_at, "
            + "j.outcome, j.message FROM jobs j LEFT JOIN clusters c ON c.id = j.cluster_id ";

    private final Transactions transactions;

    JobQueries(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Records that a job of {@code type} for {@code cluster} started.
     *
     * @return the running job, with its new ID
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown or the catalog fails
     */
    public JobRow start(String cluster, String type, Instant startedAt) {
        return start(Optional.of(cluster), type, startedAt);
    }

    /**
     * Records that a job of {@code type} for the whole server (no cluster) started.
     *
     * @return the running job, with its new ID
     */
    public JobRow startServerJob(String type, Instant startedAt) {
        return start(Optional.empty(), type, startedAt);
    }

    private JobRow start(Optional<String> cluster, String type, Instant startedAt) {
        JobRow wanted = new JobRow(0, cluster, type, startedAt, Optional.empty(), JobOutcome.RUNNING, Optional.empty());
        return transactions.write("recording the start of a %s job".formatted(type), connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO jobs (cluster_id, type, started_at, "
                    + "outcome) VALUES (?, ?, ?, 'running') RETURNING id")) {
                Optional<Long> clusterId = cluster.isEmpty() ? Optional.empty()
                        : Optional.of(ClusterIds.require(connection, transactions.file(), cluster.get()).id());
                Columns.setLong(insert, 1, clusterId);
                insert.setString(2, type);
                insert.setLong(3, Columns.micros(wanted.startedAt()));
                return find(connection, Columns.returnedId(insert)).orElseThrow();
            }
        });
    }

    /**
     * Records how running job {@code id} ended, without a message.
     *
     * @see #finish(long, JobOutcome, Instant, String)
     */
    public JobRow finish(long id, JobOutcome outcome, Instant endedAt) {
        return finish(id, outcome, endedAt, Optional.empty());
    }

    /**
     * Records how running job {@code id} ended.
     *
     * @param outcome any outcome but {@link JobOutcome#RUNNING}
     * @param message what to tell people about it
     * @return the ended job
     * @throws IllegalArgumentException if {@code outcome} is {@link JobOutcome#RUNNING}
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if there is no such job or it has already ended
     */
    public JobRow finish(long id, JobOutcome outcome, Instant endedAt, String message) {
        return finish(id, outcome, endedAt, Optional.of(message));
    }

    private JobRow finish(long id, JobOutcome outcome, Instant endedAt, Optional<String> message) {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(endedAt, "endedAt");
        if (outcome == JobOutcome.RUNNING) {
            throw new IllegalArgumentException("a job cannot finish as running");
        }
        return transactions.write("recording the end of job %d".formatted(id), connection -> {
            JobRow job = find(connection, id).orElseThrow(() ->
                    CatalogErrors.failure(transactions.file(), "no job %d".formatted(id), null));
            if (job.outcome() != JobOutcome.RUNNING) {
                throw CatalogErrors.failure(transactions.file(),
                        "job %d already ended at %s as %s".formatted(id, job.endedAt().orElseThrow(),
                                Keywords.of(job.outcome())), null);
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE jobs SET ended_at = ?, outcome = ?, message = ? WHERE id = ?")) {
                update.setLong(1, Columns.micros(endedAt));
                update.setString(2, Keywords.of(outcome));
                Columns.setText(update, 3, message);
                update.setLong(4, id);
                update.executeUpdate();
            }
            return find(connection, id).orElseThrow();
        });
    }

    /** Job {@code id}, if recorded. */
    public Optional<JobRow> find(long id) {
        return transactions.read("reading job %d".formatted(id), connection -> find(connection, id));
    }

    /** The jobs still running (or left running by a process that died), oldest first. */
    public List<JobRow> running() {
        return transactions.read("listing running jobs", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    SELECT + "WHERE j.outcome = 'running' ORDER BY j.started_at, j.id")) {
                return readAll(select);
            }
        });
    }

    /** The {@code limit} most recently started jobs of any cluster and of the server, newest first. */
    public List<JobRow> recent(int limit) {
        return transactions.read("listing recent jobs", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    SELECT + "ORDER BY j.started_at DESC, j.id DESC LIMIT ?")) {
                select.setInt(1, limit);
                return readAll(select);
            }
        });
    }

    /**
     * The {@code limit} most recently started jobs of {@code cluster}, newest first.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if the cluster is unknown
     */
    public List<JobRow> recent(String cluster, int limit) {
        return transactions.read("listing recent jobs of cluster \"%s\"".formatted(cluster), connection -> {
            long clusterId = ClusterIds.require(connection, transactions.file(), cluster).id();
            try (PreparedStatement select = connection.prepareStatement(
                    SELECT + "WHERE j.cluster_id = ? ORDER BY j.started_at DESC, j.id DESC LIMIT ?")) {
                select.setLong(1, clusterId);
                select.setInt(2, limit);
                return readAll(select);
            }
        });
    }

    private static Optional<JobRow> find(Connection connection, long id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT + "WHERE j.id = ?")) {
            select.setLong(1, id);
            return readAll(select).stream().findFirst();
        }
    }

    private static List<JobRow> readAll(PreparedStatement select) throws SQLException {
        List<JobRow> result = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                result.add(new JobRow(rows.getLong("id"), Columns.getOptionalText(rows, "cluster"),
                        rows.getString("type"), Columns.getInstant(rows, "started_at"),
                        Columns.getOptionalInstant(rows, "ended_at"),
                        Keywords.parse(JobOutcome.class, rows.getString("outcome")),
                        Columns.getOptionalText(rows, "message")));
            }
        }
        return result;
    }
}
