package dev.cellar.catalog;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * How Java values are kept in SQLite columns, in one place: LSNs as signed INTEGER (so values of
 * 2^63 and above are refused), times as INTEGER microseconds since the epoch (UTC), booleans as
 * 0/1, and SQL NULL as {@link Optional#empty()}. Stateless.
 */
final class Columns {
    private static final long MICROS_PER_SECOND = 1_000_000L;
    private static final long NANOS_PER_MICRO = 1_000L;

    private Columns() {
    }

    /**
     * {@code instant} cut to whole microseconds, the precision the catalog (and PostgreSQL) keeps;
     * rows apply it on construction so that a row reads back equal to the row written.
     */
    static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), MICROS_PER_SECOND),
                instant.getNano() / NANOS_PER_MICRO);
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, MICROS_PER_SECOND),
                Math.floorMod(micros, MICROS_PER_SECOND) * NANOS_PER_MICRO);
    }

    /**
     * The column value of {@code lsn}.
     *
     * @throws CellarException {@link ErrorCode#CATALOG_FAILED} if {@code lsn} is 8000000/0 or later
     */
    static long lsn(Path catalog, String what, Lsn lsn) {
        if (lsn.value() < 0) {
            throw new CellarException(ErrorCode.CATALOG_FAILED,
                    "catalog %s: %s is %s, at or beyond 80000000/0, which the catalog cannot store"
                            .formatted(catalog, what, lsn),
                    "no PostgreSQL server reaches such a position; the value is probably corrupt");
        }
        return lsn.value();
    }

    static void setLsn(PreparedStatement statement, int index, Path catalog, String what, Optional<Lsn> lsn)
            throws SQLException {
        if (lsn.isPresent()) {
            statement.setLong(index, lsn(catalog, what, lsn.get()));
        } else {
            statement.setNull(index, Types.INTEGER);
        }
    }

    static void setInstant(PreparedStatement statement, int index, Optional<Instant> instant) throws SQLException {
        if (instant.isPresent()) {
            statement.setLong(index, micros(instant.get()));
        } else {
            statement.setNull(index, Types.INTEGER);
        }
    }

    static void setTimeline(PreparedStatement statement, int index, Optional<TimelineId> timeline)
            throws SQLException {
        if (timeline.isPresent()) {
            statement.setLong(index, timeline.get().value());
        } else {
            statement.setNull(index, Types.INTEGER);
        }
    }

    static void setText(PreparedStatement statement, int index, Optional<String> text) throws SQLException {
        if (text.isPresent()) {
            statement.setString(index, text.get());
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    static void setLong(PreparedStatement statement, int index, Optional<Long> value) throws SQLException {
        if (value.isPresent()) {
            statement.setLong(index, value.get());
        } else {
            statement.setNull(index, Types.INTEGER);
        }
    }

    /** Runs {@code insert}, an {@code INSERT … RETURNING id}, and gives the new row's ID. */
    static long returnedId(PreparedStatement insert) throws SQLException {
        try (ResultSet keys = insert.executeQuery()) {
            if (!keys.next()) {
                throw new SQLException("the INSERT returned no ID");
            }
            return keys.getLong(1);
        }
    }

    static Lsn getLsn(ResultSet rows, String column) throws SQLException {
        return Lsn.of(rows.getLong(column));
    }

    static Optional<Lsn> getOptionalLsn(ResultSet rows, String column) throws SQLException {
        return getOptionalLong(rows, column).map(Lsn::of);
    }

    static TimelineId getTimeline(ResultSet rows, String column) throws SQLException {
        return TimelineId.of(rows.getLong(column));
    }

    static Optional<TimelineId> getOptionalTimeline(ResultSet rows, String column) throws SQLException {
        return getOptionalLong(rows, column).map(TimelineId::of);
    }

    static Instant getInstant(ResultSet rows, String column) throws SQLException {
        return instant(rows.getLong(column));
    }

    static Optional<Instant> getOptionalInstant(ResultSet rows, String column) throws SQLException {
        return getOptionalLong(rows, column).map(Columns::instant);
    }

    static Optional<String> getOptionalText(ResultSet rows, String column) throws SQLException {
        return Optional.ofNullable(rows.getString(column));
    }

    static boolean getBoolean(ResultSet rows, String column) throws SQLException {
        return rows.getLong(column) != 0;
    }

    static Optional<Long> getOptionalLong(ResultSet rows, String column) throws SQLException {
        long value = rows.getLong(column);
        return rows.wasNull() ? Optional.empty() : Optional.of(value);
    }
}
