package dev.cellar.walreceiver.connection;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds replication commands ([gram] repl_gram.y) and reads their results ([ws] walsender.c,
 * PROTOCOL.md §2). Names are validated before they reach a command string, so no input can change
 * a command's meaning. Stateless.
 */
final class ReplicationCommands {
    /** What PostgreSQL accepts as a slot name (slot.c ReplicationSlotValidateName; NAMEDATALEN - 1). */
    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
    /** A run-time parameter name, possibly qualified ({@code SHOW var_name} in the grammar). */
    private static final Pattern PARAMETER_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

    private ReplicationCommands() {
    }

    static SystemIdentification identifySystem(QueryResult result) {
        QueryResult.Row row = result.singleRow("systemid", "timeline", "xlogpos", "dbname");
        String systemId = required(result, row, 0);
        if (!systemId.matches("[0-9]{1,20}")) {
            throw unexpected(result, "systemid \"" + systemId + "\" is not a decimal number");
        }
        try {
            return new SystemIdentification(systemId, TimelineId.parse(required(result, row, 1)),
                    Lsn.parse(required(result, row, 2)), Optional.ofNullable(row.text(3)));
        } catch (CellarException e) {
            throw unexpected(result, e.getMessage());
        }
    }

    static String show(String parameter) {
        if (!PARAMETER_NAME.matcher(parameter).matches()) {
            throw new IllegalArgumentException("\"" + parameter + "\" is not a run-time parameter name");
        }
        return "SHOW " + parameter;
    }

    static String showValue(QueryResult result) {
        if (result.columns().size() != 1 || result.rows().size() != 1) {
            throw unexpected(result, result.columns().size() + " columns and " + result.rows().size() + " rows");
        }
        return required(result, result.rows().getFirst(), 0);
    }

    static String timelineHistory(TimelineId timeline) {
        return "TIMELINE_HISTORY " + timeline.value();
    }

    static TimelineHistoryContent timelineHistoryContent(TimelineId timeline, QueryResult result) {
        QueryResult.Row row = result.singleRow("filename", "content");
        String fileName = required(result, row, 0);
        String expected = timeline.toHex() + ".history";
        if (!fileName.equals(expected)) {
            throw unexpected(result, "file name " + fileName + " instead of " + expected);
        }
        byte[] content = row.bytes(1);
        if (content == null) {
            throw unexpected(result, "no content");
        }
        return new TimelineHistoryContent(timeline, fileName, content);
    }

    static String readReplicationSlot(String slotName) {
        return "READ_REPLICATION_SLOT " + quoteSlotName(slotName);
    }

    static Optional<ReplicationSlotInfo> replicationSlotInfo(QueryResult result) {
        QueryResult.Row row = result.singleRow("slot_type", "restart_lsn", "restart_tli");
        String type = row.text(0);
        if (type == null) {
            return Optional.empty(); // every column is NULL when the slot does not exist
        }
        try {
            return Optional.of(new ReplicationSlotInfo(type, Optional.ofNullable(row.text(1)).map(Lsn::parse),
                    Optional.ofNullable(row.text(2)).map(TimelineId::parse)));
        } catch (CellarException e) {
            throw unexpected(result, e.getMessage());
        }
    }

    static String createPhysicalSlot(String slotName, boolean reserveWal) {
        // 15+ option syntax; RESERVE_WAL makes the slot hold WAL from now on, not only once streamed from.
        return "CREATE_REPLICATION_SLOT " + quoteSlotName(slotName) + " PHYSICAL" + (reserveWal ? " (RESERVE_WAL)" : "");
    }

    static String dropSlot(String slotName, boolean waitIfActive) {
        return "DROP_REPLICATION_SLOT " + quoteSlotName(slotName) + (waitIfActive ? " WAIT" : "");
    }

    /**
     * The slot name as a quoted identifier, after checking it is one PostgreSQL accepts: quoting
     * keeps it from being case-folded or read as a keyword; validation keeps quotes out of it.
     *
     * @throws CellarException {@link ErrorCode#INVALID_VALUE} for a name PostgreSQL would refuse
     */
    static String quoteSlotName(String slotName) {
        if (slotName == null || !SLOT_NAME.matcher(slotName).matches()) {
            throw new CellarException(ErrorCode.INVALID_VALUE, "invalid replication slot name \"" + slotName
                    + "\": use 1 to 63 lower-case letters, digits and underscores");
        }
        return quoteIdentifier(slotName);
    }

    /** {@code "name"} with embedded double quotes doubled, as the replication scanner expects. */
    static String quoteIdentifier(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static String required(QueryResult result, QueryResult.Row row, int column) {
        String value = row.text(column);
        if (value == null) {
            throw unexpected(result, "column " + result.columns().get(column).name() + " is NULL");
        }
        return value;
    }

    private static CellarException unexpected(QueryResult result, String what) {
        return new CellarException(ErrorCode.PROTOCOL_ERROR, "unexpected result of " + result.commandTag() + ": " + what);
    }
}
