package dev.cellar.core.backup;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupLabelTest {

    /** As PostgreSQL 15 and 16 (and 17+ for a full backup) write it. */
    private static final String FULL = """
            START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
            CHECKPOINT LOCATION: 0/2000060
            BACKUP METHOD: streamed
            BACKUP FROM: primary
            START TIME: 2026-11-21 10:00:00 UTC
            LABEL: pg_basebackup base backup
            START TIMELINE: 1
            """;

    /** As PostgreSQL 17 writes it for an incremental backup taken on a standby after a promotion. */
    private static final String INCREMENTAL = """
            START WAL LOCATION: 0/6000028 (file 000000020000000000000006)
            CHECKPOINT LOCATION: 0/6000080
            BACKUP METHOD: streamed
            BACKUP FROM: standby
            START TIME: 2026-11-22 03:00:00 CET
            LABEL: nightly
            START TIMELINE: 2
            INCREMENTAL FROM LSN: 0/4000028
            INCREMENTAL FROM TLI: 1
            """;

    private static final String SOURCE = "c1/inc-2/backup_label";

    private static BackupLabel parse(String text) {
        return BackupLabel.parse(text.getBytes(UTF_8), SOURCE);
    }

    private static void assertInvalid(String text, String message) {
        assertThatThrownBy(() -> parse(text))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE);
                    assertThat(e.hint()).isPresent();
                })
                .hasMessage(message);
    }

    @Test
    void parsesTheLabelOfAFullBackup() {
        BackupLabel label = parse(FULL);

        assertThat(label.startWalLocation()).isEqualTo(Lsn.parse("0/2000028"));
        assertThat(label.startWalFile()).isEqualTo("000000010000000000000002");
        assertThat(label.checkpointLocation()).isEqualTo(Lsn.parse("0/2000060"));
        assertThat(label.backupMethod()).isEqualTo("streamed");
        assertThat(label.backupFrom()).isEqualTo(BackupSource.PRIMARY);
        assertThat(label.startTimeText()).isEqualTo("2026-11-21 10:00:00 UTC");
        assertThat(label.startTime()).contains(Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(label.label()).isEqualTo("pg_basebackup base backup");
        assertThat(label.startTimeline()).isEqualTo(TimelineId.of(1));
        assertThat(label.isIncremental()).isFalse();
        assertThat(label.incrementalFromLsn()).isEmpty();
        assertThat(label.incrementalFromTimeline()).isEmpty();
        assertThat(label.otherLines()).isEmpty();
        assertThat(label.content()).isEqualTo(FULL.getBytes(UTF_8));
        assertThat(label.withoutIncrementalLines()).isEqualTo(label);
    }

    @Test
    void parsesTheLabelOfAnIncrementalBackup() {
        BackupLabel label = parse(INCREMENTAL);

        assertThat(label.isIncremental()).isTrue();
        assertThat(label.incrementalFromLsn()).contains(Lsn.parse("0/4000028"));
        assertThat(label.incrementalFromTimeline()).contains(TimelineId.of(1));
        assertThat(label.backupFrom()).isEqualTo(BackupSource.STANDBY);
        assertThat(label.startTimeline()).isEqualTo(TimelineId.of(2));
        assertThat(label.startTimeText()).isEqualTo("2026-11-22 03:00:00 CET");
        assertThat(label.startTime()).as("a zone abbreviation is not resolved").isEmpty();
        assertThat(label.toString()).isEqualTo("BackupLabel[start=0/6000028 on timeline 2, checkpoint=0/6000080, "
                + "from=standby, label=nightly, incremental from 0/4000028 on timeline 1]");
    }

    @Test
    void withoutIncrementalLinesIsWhatPgCombinebackupWrites() {
        BackupLabel combined = parse(INCREMENTAL).withoutIncrementalLines();

        assertThat(new String(combined.content(), UTF_8)).isEqualTo(INCREMENTAL
                .replace("INCREMENTAL FROM LSN: 0/4000028\n", "").replace("INCREMENTAL FROM TLI: 1\n", ""));
        assertThat(combined.isIncremental()).isFalse();
        assertThat(combined.startWalLocation()).isEqualTo(Lsn.parse("0/6000028"));
    }

    @Test
    void unknownLinesAreKeptInPlace() {
        String text = FULL.replace("BACKUP METHOD", "FUTURE FIELD: 42\nBACKUP METHOD")
                + "INCREMENTAL FROM LSN: 0/1000028\nINCREMENTAL FROM TLI: 1\nANOTHER: x\n";
        BackupLabel label = parse(text);

        assertThat(label.otherLines()).containsExactly("FUTURE FIELD: 42", "ANOTHER: x");
        assertThat(new String(label.withoutIncrementalLines().content(), UTF_8))
                .isEqualTo(FULL.replace("BACKUP METHOD", "FUTURE FIELD: 42\nBACKUP METHOD") + "ANOTHER: x\n");
    }

    @Test
    void theStartTimeIsResolvedForUtcGmtAndNumericZones() {
        assertThat(startTime("2026-11-21 10:00:00 GMT")).contains(Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(startTime("2026-11-21 13:00:00 +03")).contains(Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(startTime("2026-11-21 15:30:00 +0530")).contains(Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(startTime("2026-11-21 06:30:00 -03:30")).contains(Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(startTime("2026-11-21 10:00:00 EST")).isEmpty();
        assertThat(startTime("2026-11-21 10:00:00 +25")).isEmpty();
        assertThat(startTime("2026-13-21 10:00:00 UTC")).isEmpty();
        assertThat(startTime("yesterday")).isEmpty();
    }

    private static Optional<Instant> startTime(String text) {
        return parse(FULL.replace("2026-11-21 10:00:00 UTC", text)).startTime();
    }

    @Test
    void theLabelMayBeEmptyOrNotUtf8() {
        assertThat(parse(FULL.replace("LABEL: pg_basebackup base backup", "LABEL: ")).label()).isEmpty();

        byte[] latin1 = FULL.replace("pg_basebackup base backup", "caf\u00e9").getBytes(ISO_8859_1);
        BackupLabel label = BackupLabel.parse(latin1, SOURCE);
        assertThat(label.label()).isEqualTo("caf\uFFFD");
        assertThat(label.content()).isEqualTo(latin1);
    }

    @Test
    void everyRequiredLineMustBePresent() {
        assertInvalid(FULL.replace("START TIMELINE: 1\n", ""),
                "invalid backup label c1/inc-2/backup_label: no \"START TIMELINE\" line");
        assertInvalid(FULL.replace("CHECKPOINT LOCATION: 0/2000060\n", ""),
                "invalid backup label c1/inc-2/backup_label: no \"CHECKPOINT LOCATION\" line");
        assertInvalid("", "invalid backup label c1/inc-2/backup_label: no \"START WAL LOCATION\" line");
    }

    @Test
    void theIncrementalLinesComeTogether() {
        assertInvalid(INCREMENTAL.replace("INCREMENTAL FROM TLI: 1\n", ""),
                "invalid backup label c1/inc-2/backup_label, line 8: \"INCREMENTAL FROM LSN\" requires "
                        + "\"INCREMENTAL FROM TLI\", which is missing");
        assertInvalid(INCREMENTAL.replace("INCREMENTAL FROM LSN: 0/4000028\n", ""),
                "invalid backup label c1/inc-2/backup_label, line 8: \"INCREMENTAL FROM TLI\" requires "
                        + "\"INCREMENTAL FROM LSN\", which is missing");
    }

    @Test
    void valuesAreChecked() {
        assertInvalid(FULL.replace("0/2000028 (file", "0/20000G8 (file"),
                "invalid backup label c1/inc-2/backup_label, line 1: START WAL LOCATION \"0/20000G8 (file "
                        + "000000010000000000000002)\": invalid LSN \"0/20000G8\": expected two hexadecimal numbers of 1 to 8 "
                        + "digits separated by '/', such as 16/B374D848");
        assertInvalid(FULL.replace(" (file 000000010000000000000002)", ""),
                "invalid backup label c1/inc-2/backup_label, line 1: START WAL LOCATION \"0/2000028\": expected "
                        + "\"<LSN> (file <24 hex digits>)\"");
        assertInvalid(FULL.replace("START TIMELINE: 1", "START TIMELINE: 2"),
                "invalid backup label c1/inc-2/backup_label, line 1: START WAL LOCATION \"0/2000028 (file "
                        + "000000010000000000000002)\": the file 000000010000000000000002 is not on the start timeline 2");
        assertInvalid(FULL.replace("CHECKPOINT LOCATION: 0/2000060", "CHECKPOINT LOCATION: 0/2000060 "),
                "invalid backup label c1/inc-2/backup_label, line 2: CHECKPOINT LOCATION \"0/2000060 \": invalid LSN "
                        + "\"0/2000060 \": expected two hexadecimal numbers of 1 to 8 digits separated by '/', such as 16/B374D848");
        assertInvalid(FULL.replace("BACKUP METHOD: streamed", "BACKUP METHOD: "),
                "invalid backup label c1/inc-2/backup_label, line 3: BACKUP METHOD \"\": the method is empty");
        assertInvalid(FULL.replace("BACKUP FROM: primary", "BACKUP FROM: replica"),
                "invalid backup label c1/inc-2/backup_label, line 4: BACKUP FROM \"replica\": expected \"primary\" or \"standby\"");
        assertInvalid(FULL.replace("START TIMELINE: 1", "START TIMELINE: 0"),
                "invalid backup label c1/inc-2/backup_label, line 7: START TIMELINE \"0\": invalid timeline ID \"0\": "
                        + "expected a decimal number from 1 to 4294967295");
        assertInvalid(INCREMENTAL.replace("INCREMENTAL FROM TLI: 1", "INCREMENTAL FROM TLI: x"),
                "invalid backup label c1/inc-2/backup_label, line 9: INCREMENTAL FROM TLI \"x\": invalid timeline ID \"x\": "
                        + "expected a decimal number from 1 to 4294967295");
        assertInvalid(INCREMENTAL.replace("INCREMENTAL FROM LSN: 0/4000028", "INCREMENTAL FROM LSN: 4000028"),
                "invalid backup label c1/inc-2/backup_label, line 8: INCREMENTAL FROM LSN \"4000028\": invalid LSN "
                        + "\"4000028\": expected two hexadecimal numbers of 1 to 8 digits separated by '/', such as 16/B374D848");
    }

    @Test
    void aKnownLineMustNotRepeat() {
        assertInvalid(FULL + "LABEL: again\n",
                "invalid backup label c1/inc-2/backup_label, line 8: a second \"LABEL\" line (the first is line 6)");
    }

    @Test
    void theLastLineMustEndWithANewline() {
        assertInvalid(FULL.substring(0, FULL.length() - 1),
                "invalid backup label c1/inc-2/backup_label, line 7: the last line does not end with a newline: the file is truncated");
    }

    @Test
    void equalityIsByContent() {
        assertThat(parse(FULL)).isEqualTo(parse(FULL)).hasSameHashCodeAs(parse(FULL)).isNotEqualTo(parse(INCREMENTAL));
        byte[] content = FULL.getBytes(UTF_8);
        BackupLabel label = BackupLabel.parse(content, SOURCE);
        content[0] = 'X';
        label.content()[1] = 'Y';
        assertThat(label.content()).isEqualTo(FULL.getBytes(UTF_8));
    }
}
