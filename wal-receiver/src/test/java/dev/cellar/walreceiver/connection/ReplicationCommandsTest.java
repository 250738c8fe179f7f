package dev.cellar.walreceiver.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicationCommandsTest {

    private static QueryResult result(String tag, List<String> columns, String... values) {
        return new QueryResult(columns.stream().map(c -> new QueryResult.Column(c, QueryResult.TEXT_OID)).toList(),
                List.of(new QueryResult.Row(Arrays.stream(values)
                        .map(v -> v == null ? null : v.getBytes(StandardCharsets.UTF_8)).toList())), tag);
    }

    @Test
    void slotNamesAreValidatedAndQuoted() {
        assertThat(ReplicationCommands.createPhysicalSlot("cellar_1", true))
                .isEqualTo("CREATE_REPLICATION_SLOT \"cellar_1\" PHYSICAL (RESERVE_WAL)");
        assertThat(ReplicationCommands.createPhysicalSlot("s", false)).isEqualTo("CREATE_REPLICATION_SLOT \"s\" PHYSICAL");
        assertThat(ReplicationCommands.dropSlot("s", true)).isEqualTo("DROP_REPLICATION_SLOT \"s\" WAIT");
        assertThat(ReplicationCommands.readReplicationSlot("s")).isEqualTo("READ_REPLICATION_SLOT \"s\"");
        assertThat(ReplicationCommands.quoteIdentifier("a\"b")).isEqualTo("\"a\"\"b\"");

        for (String bad : List.of("", "Upper", "with space", "x\"; DROP", "a".repeat(64), "päss")) {
            assertThatThrownBy(() -> ReplicationCommands.quoteSlotName(bad))
                    .isInstanceOf(CellarException.class)
                    .hasMessageContaining("invalid replication slot name")
                    .extracting(e -> ((CellarException) e).code()).isEqualTo(ErrorCode.INVALID_VALUE);
        }
        assertThat(ReplicationCommands.quoteSlotName("a".repeat(63))).hasSize(65);
    }

    @Test
    void showAcceptsOnlyParameterNames() {
        assertThat(ReplicationCommands.show("wal_segment_size")).isEqualTo("SHOW wal_segment_size");
        assertThat(ReplicationCommands.show("pg_stat_statements.max")).isEqualTo("SHOW pg_stat_statements.max");
        assertThatThrownBy(() -> ReplicationCommands.show("x; DROP")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void identifySystemRowIsChecked() {
        SystemIdentification system = ReplicationCommands.identifySystem(result("IDENTIFY_SYSTEM",
                List.of("systemid", "timeline", "xlogpos", "dbname"), "18446744073709551615", "4294967295", "FF/FFFFFFFF", null));

        assertThat(system.systemId()).isEqualTo("18446744073709551615");
        assertThat(system.timeline()).isEqualTo(TimelineId.of(4294967295L));
        assertThat(system.xlogPosition()).isEqualTo(Lsn.parse("FF/FFFFFFFF"));
        assertThat(system.database()).isEmpty();

        assertThatThrownBy(() -> ReplicationCommands.identifySystem(result("IDENTIFY_SYSTEM",
                List.of("systemid", "timeline", "xlogpos"), "1", "1", "0/0")))
                .hasMessageContaining("columns [systemid, timeline, xlogpos] instead of [systemid, timeline, xlogpos, dbname]");
        assertThatThrownBy(() -> ReplicationCommands.identifySystem(result("IDENTIFY_SYSTEM",
                List.of("systemid", "timeline", "xlogpos", "dbname"), "1", "0", "0/0", null)))
                .hasMessageContaining("unexpected result of IDENTIFY_SYSTEM: invalid timeline ID \"0\"")
                .extracting(e -> ((CellarException) e).code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void missingSlotReadsAsEmpty() {
        List<String> columns = List.of("slot_type", "restart_lsn", "restart_tli");

        assertThat(ReplicationCommands.replicationSlotInfo(result("READ_REPLICATION_SLOT", columns, null, null, null))).isEmpty();
        assertThat(ReplicationCommands.replicationSlotInfo(result("READ_REPLICATION_SLOT", columns, "physical", "0/3000000", "2")))
                .contains(new ReplicationSlotInfo("physical", Optional.of(Lsn.parse("0/3000000")), Optional.of(TimelineId.of(2))));
        assertThat(ReplicationCommands.replicationSlotInfo(result("READ_REPLICATION_SLOT", columns, "physical", null, null)))
                .contains(new ReplicationSlotInfo("physical", Optional.empty(), Optional.empty()));
    }

    @Test
    void timelineHistoryKeepsRawBytesAndChecksTheFileName() {
        QueryResult ok = result("TIMELINE_HISTORY", List.of("filename", "content"), "0000000A.history", "1\t0/B000A0\tno recovery target specified\n");

        TimelineHistoryContent history = ReplicationCommands.timelineHistoryContent(TimelineId.of(10), ok);

        assertThat(history.fileName()).isEqualTo("0000000A.history");
        assertThat(history.content()).isEqualTo("1\t0/B000A0\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ReplicationCommands.timelineHistoryContent(TimelineId.of(2), ok))
                .hasMessageContaining("file name 0000000A.history instead of 00000002.history");
    }
}
