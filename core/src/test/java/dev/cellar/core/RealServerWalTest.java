package dev.cellar.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * WAL written by real PostgreSQL 15–18 servers (see {@code resources/dev/cellar/core/wal/README.md}):
 * the validator must accept exactly these, and the facts the code relies on are asserted on them.
 */
class RealServerWalTest {

    private static final WalSegmentSize MB1 = WalSegmentSize.of(1 << 20);
    private static final int PAGE = 8192;
    private static final long PG15_SYSID = 7710510031342366592L;
    private static final long PG18_SYSID = 7710510350704068118L;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "pg15/000000010000000000000007, 15, 7710510031342366592",
            "pg15/00000001000000000000000B.partial, 15, 7710510031342366592",
            "pg15/00000002000000000000000B, 15, 7710510031342366592",
            "pg15/00000002000000000000000C.partial, 15, 7710510031342366592",
            "pg16/000000010000000000000006, 16, 7710510325296800824",
            "pg17/000000010000000000000006, 17, 7710510337716847756",
            "pg18/000000010000000000000009, 18, 7710510350704068118",
            "pg18/00000001000000000000000C, 18, 7710510350704068118",
    })
    void theValidatorAcceptsWhatServersWrite(String file, int major, String sysid) {
        byte[] bytes = segmentBytes(file);
        WalFileKind kind = WalFileNames.parse(file.substring(5), MB1);
        WalSegmentValidator validator = switch (kind) {
            case WalFileKind.Segment s -> WalSegmentValidator.forSegment(s.segment(), Long.parseUnsignedLong(sysid));
            case WalFileKind.PartialSegment p ->
                    WalSegmentValidator.forSegment(p.segment(), Long.parseUnsignedLong(sysid)).allowingPartial();
            default -> throw new AssertionError(kind);
        };
        assertThatCode(() -> validator.validate(bytes)).doesNotThrowAnyException();
        assertThatCode(() -> validator.expectingMajor(major).validate(bytes)).doesNotThrowAnyException();
        assertThat(WalPageMagic.majorForMagic(WalPageHeader.parse(bytes, 0).magic())).hasValue(major);
    }

    @Test
    void theLongHeaderOfAPostgres18Segment() {
        WalPageHeader header = WalPageHeader.parse(segmentBytes("pg18/00000001000000000000000C"), 0);
        assertThat(header.magic()).isEqualTo(0xD118);
        assertThat(header.info()).isEqualTo(WalPageHeader.XLP_FIRST_IS_CONTRECORD | WalPageHeader.XLP_LONG_HEADER
                | WalPageHeader.XLP_BKP_REMOVABLE);
        assertThat(header.timeline()).isEqualTo(1);
        assertThat(header.pageAddress()).isEqualTo(Lsn.parse("0/C00000"));
        assertThat(header.remainingLength()).isEqualTo(27);
        assertThat(header.longHeader()).contains(new WalPageHeader.LongHeader(PG18_SYSID, 1 << 20, 8192));
    }

    @Test
    void afterXlogSwitchTheServerZeroFillsWholePagesHeadersIncluded() {
        byte[] bytes = segmentBytes("pg15/000000010000000000000007");
        // pg_switch_wal() returned 0/70C778, the end of the switch record, on page 6.
        for (int page = 7; page < 128; page++) {
            assertThat(isZero(bytes, page * PAGE, (page + 1) * PAGE)).as("page %d", page).isTrue();
        }
        assertThat(isZero(bytes, 0xC778, 7 * PAGE)).isTrue();
        assertThat(isZero(bytes, 6 * PAGE, 0xC778)).isFalse();
    }

    @Test
    void aFullSegmentHasNoZeroPage() {
        byte[] bytes = segmentBytes("pg18/00000001000000000000000C");
        for (int page = 0; page < 128; page++) {
            assertThat(isZero(bytes, page * PAGE, page * PAGE + 24)).as("header of page %d", page).isFalse();
        }
    }

    @Test
    void theFirstSegmentOfTimeline2StartsWithAPageOfTimeline1() {
        byte[] bytes = segmentBytes("pg15/00000002000000000000000B");
        assertThat(WalPageHeader.parse(bytes, 0).timeline()).isEqualTo(1);
        assertThat(WalPageHeader.parse(bytes, PAGE).timeline()).isEqualTo(2);

        WalSegmentName asTimeline1 = WalSegmentName.parse("00000001000000000000000B", MB1);
        assertThatThrownBy(() -> WalSegmentValidator.forSegment(asTimeline1, PG15_SYSID).validate(bytes))
                .isInstanceOf(CellarException.class)
                .hasMessage("WAL segment 00000001000000000000000B, page at offset 8192 (LSN 0/B02000): "
                        + "xlp_tli 2, expected at most 1, the segment's timeline");
    }

    @Test
    void theLastSegmentOfTimeline1IsNotComplete() {
        byte[] bytes = segmentBytes("pg15/00000001000000000000000B.partial");
        WalSegmentName name = WalSegmentName.parse("00000001000000000000000B", MB1);
        // Timeline 1 ended at 0/B000A0, where the history file says timeline 2 branched off.
        assertThatThrownBy(() -> WalSegmentValidator.forSegment(name, PG15_SYSID).validate(bytes))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID))
                .hasMessage("WAL segment 00000001000000000000000B, page at offset 0 (LSN 0/B00000): record at 0/B000A0: "
                        + "xl_tot_len 0, but the WAL of a complete segment runs to its end unless an XLOG_SWITCH record ends it");
    }

    @Test
    void theHistoryFileOfTimeline2() {
        byte[] content = resource("pg15/00000002.history");
        assertThat(new String(content, UTF_8)).isEqualTo("1\t0/B000A0\tno recovery target specified\n");

        TimelineHistory history = TimelineHistory.parse(TimelineId.of(2), content);
        assertThat(history.entries()).containsExactly(
                new TimelineHistory.Entry(TimelineId.INITIAL, Lsn.parse("0/B000A0"), "no recovery target specified"));
        assertThat(history.format()).isEqualTo(content);
        assertThat(history.timelineOf(Lsn.parse("0/B0009F"))).isEqualTo(TimelineId.INITIAL);
        assertThat(history.timelineOf(Lsn.parse("0/B000A0"))).isEqualTo(TimelineId.of(2));
        assertThat(WalFileNames.parse(history.fileName(), MB1)).isEqualTo(new WalFileKind.History(TimelineId.of(2)));
    }

    @Test
    void aMajorOtherThanExpectedIsNamed() {
        byte[] bytes = segmentBytes("pg16/000000010000000000000006");
        WalSegmentName name = WalSegmentName.parse("000000010000000000000006", MB1);
        assertThatThrownBy(() -> WalSegmentValidator.forSegment(name, 7710510325296800824L).expectingMajor(17).validate(bytes))
                .isInstanceOf(CellarException.class)
                .hasMessage("WAL segment 000000010000000000000006, page at offset 0 (LSN 0/600000): "
                        + "xlp_magic 0xD113 (PostgreSQL 16), expected 0xD116 (PostgreSQL 17)");
    }

    @Test
    void anotherClustersSegmentIsNamed() {
        byte[] bytes = segmentBytes("pg17/000000010000000000000006");
        WalSegmentName name = WalSegmentName.parse("000000010000000000000006", MB1);
        assertThatThrownBy(() -> WalSegmentValidator.forSegment(name, PG18_SYSID).validate(bytes))
                .isInstanceOf(CellarException.class)
                .hasMessage("WAL segment 000000010000000000000006, page at offset 0 (LSN 0/600000): "
                        + "xlp_sysid 7710510337716847756, expected 7710510350704068118: the segment is from another cluster");
    }

    @Test
    void aFullSegmentCutAnywhereAndZeroPaddedIsAValidPartial() {
        byte[] full = segmentBytes("pg18/00000001000000000000000C");
        WalSegmentName name = WalSegmentName.parse("00000001000000000000000C", MB1);
        WalSegmentValidator partial = WalSegmentValidator.forSegment(name, PG18_SYSID).expectingMajor(18).allowingPartial();
        // Page boundaries: where a streaming server's flush position can fall inside a record.
        for (int cut : new int[] {PAGE, 5 * PAGE, 64 * PAGE, 127 * PAGE}) {
            byte[] padded = Arrays.copyOf(Arrays.copyOf(full, cut), full.length);
            assertThatCode(() -> partial.validate(padded)).as("cut at %d", cut).doesNotThrowAnyException();
        }
    }

    @Test
    void everyCorruptedRecordByteOfARealSegmentIsCaught() {
        byte[] original = segmentBytes("pg16/000000010000000000000006");
        WalSegmentName name = WalSegmentName.parse("000000010000000000000006", MB1);
        WalSegmentValidator validator = WalSegmentValidator.forSegment(name, 7710510325296800824L);
        // Page 0 holds a few records up to the XLOG_SWITCH record; flip each bit of each record header's
        // length and CRC, and a byte in each record body.
        ByteBuffer page = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN);
        int pos = WalPageHeader.LONG_SIZE;
        int records = 0;
        while (page.getInt(pos) != 0) {
            int length = page.getInt(pos);
            for (int offset : new int[] {pos, pos + 20, pos + 23, pos + length - 1}) {
                byte[] corrupt = original.clone();
                corrupt[offset] ^= 0x10;
                assertThatThrownBy(() -> validator.validate(corrupt)).as("byte %d", offset).isInstanceOf(CellarException.class);
            }
            pos = (pos + length + 7) & -8;
            records++;
        }
        assertThat(records).isGreaterThanOrEqualTo(2);
    }

    private static boolean isZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] segmentBytes(String file) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(resource(file + ".gz")))) {
            byte[] bytes = in.readAllBytes();
            assertThat(bytes).hasSize(1 << 20);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = RealServerWalTest.class.getResourceAsStream("wal/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
