package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WalFileNamesTest {

    private static final WalSegmentSize MB16 = WalSegmentSize.DEFAULT;

    @Test
    void recognisesEachKind() {
        WalSegmentName segment = WalSegmentName.parse("000000020000000000000003", MB16);

        assertThat(WalFileNames.parse("000000020000000000000003", MB16))
                .isEqualTo(new WalFileKind.Segment(segment));
        assertThat(WalFileNames.parse("000000020000000000000003.partial", MB16))
                .isEqualTo(new WalFileKind.PartialSegment(segment));
        assertThat(WalFileNames.parse("0000000A.history", MB16))
                .isEqualTo(new WalFileKind.History(TimelineId.of(10)));
        assertThat(WalFileNames.parse("000000020000000000000003.00000028.backup", MB16))
                .isEqualTo(new WalFileKind.BackupHistory(segment, Lsn.parse("0/3000028")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"000000020000000000000003", "000000020000000000000003.partial", "0000000A.history",
            "000000020000000000000003.00000028.backup", "0000000100000016000000B3.00FFFFFF.backup"})
    void fileNameRebuildsTheName(String name) {
        assertThat(WalFileNames.parse(name, MB16).fileName()).isEqualTo(name);
    }

    @Test
    void eachKindKnowsItsTimeline() {
        assertThat(WalFileNames.parse("000000020000000000000003", MB16).timeline()).isEqualTo(TimelineId.of(2));
        assertThat(WalFileNames.parse("000000030000000000000003.partial", MB16).timeline()).isEqualTo(TimelineId.of(3));
        assertThat(WalFileNames.parse("0000000A.history", MB16).timeline()).isEqualTo(TimelineId.of(10));
        assertThat(WalFileNames.parse("000000040000000000000003.00000028.backup", MB16).timeline()).isEqualTo(TimelineId.of(4));
    }

    @Test
    void describesKindsWithAnExhaustiveSwitch() {
        // The backup history file a PostgreSQL 15 cluster with 1MB segments archived for a backup
        // whose label says "START WAL LOCATION: 0/900028 (file 000000010000000000000009)".
        WalFileKind kind = WalFileNames.parse("000000010000000000000009.00000028.backup", WalSegmentSize.of(1 << 20));
        String described = switch (kind) {
            case WalFileKind.Segment s -> "segment " + s.segment();
            case WalFileKind.PartialSegment p -> "partial " + p.segment();
            case WalFileKind.History h -> "history of " + h.historyOf();
            case WalFileKind.BackupHistory b -> "backup from " + b.startLsn();
        };
        assertThat(described).isEqualTo("backup from 0/900028");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "RECOVERYHISTORY", "00000001.history.gz", "00000001.historyx",
            "000000010000000000000003.gz", "000000010000000000000003.zst", "000000010000000000000003.partial.gz",
            "000000010000000000000003.0000002.backup", "000000010000000000000003.000000028.backup",
            "000000010000000000000003-00000028.backup", "archive_status", "000000010000000000000003.PARTIAL"})
    void rejectsOtherNames(String name) {
        assertThatThrownBy(() -> WalFileNames.parse(name, MB16))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("invalid WAL file name \"" + name + "\": expected a segment (000000010000000000000003), a partial "
                        + "segment (000000010000000000000003.partial), a history file (00000002.history) or a backup "
                        + "history file (000000010000000000000003.00000028.backup)");
        assertThat(WalFileNames.tryParse(name, MB16)).isEmpty();
    }

    @Test
    void rejectsWellShapedNamesWithBadParts() {
        assertThatThrownBy(() -> WalFileNames.parse("00000000.history", MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid timeline ID \"00000000\": timeline 0 does not exist");
        assertThatThrownBy(() -> WalFileNames.parse("0000000g.history", MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid timeline ID \"0000000g\": expected 8 upper-case hexadecimal digits, such as 00000001");
        assertThatThrownBy(() -> WalFileNames.parse("000000010000000000000100.partial", MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment name \"000000010000000000000100\": the last field 00000100 must be below 00000100 for 16MB segments");
        assertThatThrownBy(() -> WalFileNames.parse("000000010000000000000003.0000002g.backup", MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup history file name \"000000010000000000000003.0000002g.backup\": expected 8 upper-case hexadecimal digits between the dots");
        assertThatThrownBy(() -> WalFileNames.parse("000000010000000000000003.01000000.backup", MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid backup history file name \"000000010000000000000003.01000000.backup\": offset 01000000 is not inside a 16MB segment");
        assertThat(WalFileNames.tryParse("000000010000000000000003.01000000.backup", MB16)).isEmpty();
    }

    @Test
    void backupHistoryStartMustLieInItsSegment() {
        WalSegmentName segment = WalSegmentName.parse("000000010000000000000003", MB16);
        assertThatThrownBy(() -> new WalFileKind.BackupHistory(segment, Lsn.parse("0/4000000")))
                .isInstanceOf(CellarException.class)
                .hasMessage("backup start LSN 0/4000000 does not lie in WAL segment 000000010000000000000003");
    }

    @Test
    void theSegmentSizeSplitsTheName() {
        WalFileKind kind = WalFileNames.parse("000000010000000100000003.partial", WalSegmentSize.of(1 << 30));
        assertThat(kind).isInstanceOfSatisfying(WalFileKind.PartialSegment.class,
                p -> assertThat(p.segment().startLsn()).isEqualTo(Lsn.parse("1/C0000000")));
    }
}
