package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The result of one simple-protocol command: its columns, its rows (text format) and its command
 * tag. Immutable and thread-safe, except that {@link Row#bytes(int)} returns the row's own array
 * (do not modify it).
 *
 * @param columns    empty for commands without a result set
 * @param rows       the rows in server order
 * @param commandTag the CommandComplete tag; for replication commands, the command's name
 */
public record QueryResult(List<Column> columns, List<Row> rows, String commandTag) {
    /** Type OIDs of the columns replication commands return. */
    public static final int INT4_OID = 23;
    public static final int INT8_OID = 20;
    public static final int TEXT_OID = 25;

    public QueryResult {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        Objects.requireNonNull(commandTag, "commandTag");
    }

    /** One column of the result. */
    public record Column(String name, int typeOid) {
        public Column {
            Objects.requireNonNull(name, "name");
        }
    }

    /** One row; values are {@code null} for SQL NULL. */
    public record Row(List<byte[]> values) {
        public Row {
            values = Collections.unmodifiableList(new ArrayList<>(values));
        }

        /** Column {@code index} as UTF-8 text, {@code null} for SQL NULL. */
        public String text(int index) {
            byte[] value = values.get(index);
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }

        /** Column {@code index} as the raw bytes the server sent, {@code null} for SQL NULL. */
        public byte[] bytes(int index) {
            return values.get(index);
        }

        @Override
        public String toString() {
            return "Row[" + values.size() + " values]";
        }
    }

    /** The position of the column named {@code name}. */
    public int columnIndex(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new CellarException(ErrorCode.PROTOCOL_ERROR,
                "the result of " + commandTag + " has no column \"" + name + "\" (columns: " + columnNames() + ")");
    }

    /**
     * The only row, checking the expected column names first.
     *
     * @throws CellarException {@link ErrorCode#PROTOCOL_ERROR} if the shape differs
     */
    public Row singleRow(String... expectedColumns) {
        if (!columnNames().equals(List.of(expectedColumns))) {
            throw new CellarException(ErrorCode.PROTOCOL_ERROR, "unexpected result of " + commandTag + ": columns "
                    + columnNames() + " instead of " + List.of(expectedColumns));
        }
        if (rows.size() != 1) {
            throw new CellarException(ErrorCode.PROTOCOL_ERROR,
                    "unexpected result of " + commandTag + ": " + rows.size() + " rows instead of 1");
        }
        return rows.getFirst();
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }
}
