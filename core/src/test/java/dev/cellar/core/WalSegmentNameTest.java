package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WalSegmentNameTest {

    private static final TimelineId TLI1 = TimelineId.INITIAL;
    private static final WalSegmentSize MB16 = WalSegmentSize.DEFAULT;
    private static final WalSegmentSize GB1 = WalSegmentSize.of(1 << 30);

    @ParameterizedTest
    @CsvSource({
            "0/3000060, 16MB, 000000010000000000000003",
            "16/B374D848, 16MB, 0000000100000016000000B3",
            "1/40000000, 1GB, 000000010000000100000001",
            "0/0, 16MB, 000000010000000000000000",
            "0/FFFFFF, 16MB, 000000010000000000000000",
            "0/1000000, 16MB, 000000010000000000000001",
            "FFFFFFFF/FEFFFFFF, 16MB, 00000001FFFFFFFF000000FE",
            "1/FFFFFFFF, 1MB, 000000010000000100000FFF",
    })
    void namesTheSegmentContainingAnLsn(String lsn, String size, String expected) {
        WalSegmentName name = WalSegmentName.containing(TLI1, Lsn.parse(lsn), WalSegmentSize.parse(size));
        assertThat(name.fileName()).isEqualTo(expected);
        assertThat(name).hasToString(expected);
    }

    @Test
    void knownVectorsInDetail() {
        WalSegmentName name = WalSegmentName.containing(TLI1, Lsn.parse("16/B374D848"), MB16);
        assertThat(name.segmentNumber()).isEqualTo(0x16B3);
        assertThat(name.startLsn()).isEqualTo(Lsn.parse("16/B3000000"));
        assertThat(name.endLsn()).isEqualTo(Lsn.parse("16/B4000000"));
        assertThat(name.partialFileName()).isEqualTo("0000000100000016000000B3.partial");

        WalSegmentName gb = WalSegmentName.containing(TLI1, Lsn.parse("1/40000000"), GB1);
        assertThat(gb.segmentNumber()).isEqualTo(5);
        assertThat(gb.startLsn()).isEqualTo(Lsn.parse("1/40000000"));
        assertThat(gb.endLsn()).isEqualTo(Lsn.parse("1/80000000"));

        assertThat(WalSegmentName.containing(TimelineId.of(0x1A), Lsn.parse("0/3000060"), MB16).fileName())
                .isEqualTo("0000001A0000000000000003");
    }

    @Test
    void anEndLsnOnABoundaryBelongsToThePreviousSegment() {
        assertThat(WalSegmentName.forEndLsn(TLI1, Lsn.parse("0/4000000"), MB16).fileName())
                .isEqualTo("000000010000000000000003");
        assertThat(WalSegmentName.forEndLsn(TLI1, Lsn.parse("0/4000001"), MB16).fileName())
                .isEqualTo("000000010000000000000004");
        assertThat(WalSegmentName.forEndLsn(TLI1, Lsn.parse("1/0"), MB16).fileName())
                .isEqualTo("0000000100000000000000FF");
        assertThat(WalSegmentName.forEndLsn(TLI1, Lsn.parse("0/1"), MB16).fileName())
                .isEqualTo("000000010000000000000000");
        assertThatThrownBy(() -> WalSegmentName.forEndLsn(TLI1, Lsn.ZERO, MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("end LSN 0/0 has no preceding byte, so no segment ends there");
    }

    @Test
    void parsesNames() {
        WalSegmentName name = WalSegmentName.parse("0000000200000016000000B3", MB16);
        assertThat(name.timeline()).isEqualTo(TimelineId.of(2));
        assertThat(name.segmentNumber()).isEqualTo(0x16B3);
        assertThat(name.size()).isEqualTo(MB16);
        assertThat(WalSegmentName.parse("000000010000000100000003", GB1).startLsn()).isEqualTo(Lsn.parse("1/C0000000"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00000001000000000000003", "0000000100000000000000031", "0000000100000016000000b3",
            "000000010000000000000003.partial", "00000001000000000000000G", " 00000001000000000000003",
            "00000002.history", "０00000010000000000000003"})
    void rejectsWhatIsNotA24HexDigitName(String text) {
        assertThatThrownBy(() -> WalSegmentName.parse(text, MB16))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("invalid WAL segment name \"" + text
                        + "\": expected 24 upper-case hexadecimal digits, such as 000000010000000000000003");
    }

    @Test
    void rejectsALastFieldOutOfRangeForTheSegmentSize() {
        assertThatThrownBy(() -> WalSegmentName.parse("000000010000000000000100", MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment name \"000000010000000000000100\": the last field 00000100 must be below 00000100 for 16MB segments");
        assertThatThrownBy(() -> WalSegmentName.parse("000000010000000100000004", GB1))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment name \"000000010000000100000004\": the last field 00000004 must be below 00000004 for 1GB segments");
        assertThat(WalSegmentName.parse("0000000100000000000000FF", MB16).segmentNumber()).isEqualTo(255);
    }

    @Test
    void rejectsTimelineZero() {
        assertThatThrownBy(() -> WalSegmentName.parse("000000000000000000000003", MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment name \"000000000000000000000003\": timeline 0 does not exist");
    }

    @Test
    void theLastSegmentOfTheLsnSpaceHasNoName() {
        long max = WalSegmentName.maxSegmentNumber(MB16);
        assertThat(max).isEqualTo((1L << 40) - 2);
        WalSegmentName last = new WalSegmentName(TLI1, max, MB16);
        assertThat(last.fileName()).isEqualTo("00000001FFFFFFFF000000FE");
        assertThat(last.endLsn()).isEqualTo(Lsn.parse("FFFFFFFF/FF000000"));

        assertThatThrownBy(last::next)
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment number 1099511627775: expected 0 to 1099511627774 for 16MB segments");
        assertThatThrownBy(() -> WalSegmentName.containing(TLI1, Lsn.parse("FFFFFFFF/FF000000"), MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("LSN FFFFFFFF/FF000000 lies in the last 16MB segment of the LSN space, which has no file name");
        assertThatThrownBy(() -> WalSegmentName.parse("00000001FFFFFFFF000000FF", MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment name \"00000001FFFFFFFF000000FF\": the last 16MB segment of the LSN space has no file name");
        assertThatThrownBy(() -> new WalSegmentName(TLI1, -1, MB16))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment number -1: expected 0 to 1099511627774 for 16MB segments");
    }

    @Test
    void nextPreviousAndOtherTimelines() {
        WalSegmentName name = WalSegmentName.parse("0000000100000000000000FF", MB16);
        assertThat(name.next().fileName()).isEqualTo("000000010000000100000000");
        assertThat(name.next().previous()).isEqualTo(name);
        assertThat(name.onTimeline(TimelineId.of(3)).fileName()).isEqualTo("0000000300000000000000FF");
        assertThat(name.next().startLsn()).isEqualTo(name.endLsn());
        assertThatThrownBy(() -> WalSegmentName.parse("000000010000000000000000", MB16).previous())
                .isInstanceOf(CellarException.class)
                .hasMessage("WAL segment 000000010000000000000000 is the first one; it has no previous");
    }

    @Test
    void containsIsHalfOpen() {
        WalSegmentName name = WalSegmentName.parse("000000010000000000000003", MB16);
        assertThat(name.contains(Lsn.parse("0/3000000"))).isTrue();
        assertThat(name.contains(Lsn.parse("0/3FFFFFF"))).isTrue();
        assertThat(name.contains(Lsn.parse("0/4000000"))).isFalse();
        assertThat(name.contains(Lsn.parse("0/2FFFFFF"))).isFalse();
    }

    /** Every size from 1 MiB to 1 GiB, thousands of LSNs each: name, parse, and bounds agree. */
    @Test
    void lsnToNameToSegmentRoundTripsForAllSizes() {
        Random random = new Random(0x5EED_CE11A4L);
        for (int shift = 20; shift <= 30; shift++) {
            WalSegmentSize size = WalSegmentSize.of(1 << shift);
            for (int i = 0; i < 3_000; i++) {
                Lsn lsn = randomLsn(random, i);
                if (lsn.segmentNumber(size) > WalSegmentName.maxSegmentNumber(size)) {
                    continue;
                }
                TimelineId tli = TimelineId.of(1 + random.nextInt(300));
                WalSegmentName name = WalSegmentName.containing(tli, lsn, size);
                WalSegmentName parsed = WalSegmentName.parse(name.fileName(), size);

                assertThat(parsed).isEqualTo(name);
                assertThat(parsed.startLsn().compareTo(lsn)).isLessThanOrEqualTo(0);
                assertThat(lsn.isBefore(parsed.endLsn())).isTrue();
                assertThat(parsed.endLsn().minus(parsed.startLsn())).isEqualTo(size.bytes());
                assertThat(parsed.contains(lsn)).isTrue();
                assertThat(parsed.startLsn()).isEqualTo(lsn.segmentStart(size));
                assertThat(name.fileName()).isEqualTo("%08X%08X%08X".formatted(tli.value(),
                        lsn.value() >>> 32, (lsn.value() & 0xFFFFFFFFL) >>> shift));

                if (!lsn.isInvalid()) {
                    WalSegmentName end = WalSegmentName.forEndLsn(tli, lsn, size);
                    assertThat(end.startLsn().isBefore(lsn)).isTrue();
                    assertThat(lsn.compareTo(end.endLsn())).isLessThanOrEqualTo(0);
                }
            }
        }
    }

    @Test
    void segmentNumberToNameRoundTripsForAllSizes() {
        Random random = new Random(77L);
        for (int shift = 20; shift <= 30; shift++) {
            WalSegmentSize size = WalSegmentSize.of(1 << shift);
            long max = WalSegmentName.maxSegmentNumber(size);
            for (int i = 0; i < 2_000; i++) {
                long segmentNumber = switch (i) {
                    case 0 -> 0;
                    case 1 -> max;
                    case 2 -> size.segmentsPerXLogId() - 1;
                    case 3 -> size.segmentsPerXLogId();
                    default -> Math.floorMod(random.nextLong(), max + 1);
                };
                WalSegmentName name = new WalSegmentName(TimelineId.INITIAL, segmentNumber, size);
                assertThat(WalSegmentName.parse(name.fileName(), size).segmentNumber()).isEqualTo(segmentNumber);
                assertThat(WalSegmentName.containing(TimelineId.INITIAL, name.startLsn(), size)).isEqualTo(name);
                assertThat(WalSegmentName.forEndLsn(TimelineId.INITIAL, name.endLsn(), size)).isEqualTo(name);
            }
        }
    }

    // Half of the values anywhere in the 64-bit space, half in the range real clusters reach.
    private static Lsn randomLsn(Random random, int i) {
        return switch (i % 4) {
            case 0 -> Lsn.of(random.nextLong());
            case 1 -> Lsn.of(random.nextLong() & 0xFF_FFFF_FFFFL);
            case 2 -> Lsn.of((random.nextLong() & 0xFFFF_FFFFL) << 32); // exactly on an xlog-ID boundary
            default -> Lsn.of(random.nextLong() & 0xF_FFFF_FFFFL & -(1L << 20)); // on a 1 MiB boundary
        };
    }
}
