package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

    @ParameterizedTest
    @CsvSource({
            "16/B374D848, 0x16B374D848",
            "0/3000060, 0x3000060",
            "0/0, 0",
            "0/03000060, 0x3000060",
            "16/b374d848, 0x16B374D848",
            "FFFFFFFF/FFFFFFFF, -1",
            "00000001/00000000, 0x100000000",
    })
    void parsesBothServerFormatsInEitherCase(String text, long expected) {
        assertThat(Lsn.parse(text).value()).isEqualTo(expected);
    }

    @Test
    void printsUpperCaseWithoutPaddingLikeServers15To18() {
        assertThat(Lsn.of(0x16B374D848L)).hasToString("16/B374D848");
        assertThat(Lsn.of(0x3000060L)).hasToString("0/3000060");
        assertThat(Lsn.parse("0/03000060")).hasToString("0/3000060");
        assertThat(Lsn.ZERO).hasToString("0/0");
        assertThat(Lsn.of(-1L)).hasToString("FFFFFFFF/FFFFFFFF");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "16/", "/B374D848", "16B374D848", "16/B374D848/1", "123456789/0",
            "0/123456789", "G/0", "0/-1", "-1/0", " 0/0", "0/0 ", "0x16/B374D848", "+1/0", "１/0"})
    void rejectsAnythingElseNamingTheInput(String text) {
        assertThatThrownBy(() -> Lsn.parse(text))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("invalid LSN \"" + text + "\": expected two hexadecimal numbers of 1 to 8 digits separated by '/', such as 16/B374D848");
    }

    @Test
    void comparesUnsigned() {
        Lsn high = Lsn.parse("FFFFFFFF/0");
        Lsn low = Lsn.parse("7FFFFFFF/FFFFFFFF");
        assertThat(high).isGreaterThan(low);
        assertThat(high.isAfter(low)).isTrue();
        assertThat(low.isBefore(high)).isTrue();
        assertThat(Lsn.max(low, high)).isSameAs(high);
        assertThat(Lsn.min(low, high)).isSameAs(low);
        assertThat(Lsn.ZERO.isBefore(Lsn.of(1))).isTrue();

        List<Lsn> sorted = new ArrayList<>(List.of(high, Lsn.ZERO, low, Lsn.of(-1L)));
        Collections.sort(sorted);
        assertThat(sorted).containsExactly(Lsn.ZERO, low, high, Lsn.of(-1L));
    }

    @Test
    void invalidIsZero() {
        assertThat(Lsn.INVALID).isEqualTo(Lsn.ZERO).isEqualTo(Lsn.parse("0/0"));
        assertThat(Lsn.INVALID.isInvalid()).isTrue();
        assertThat(Lsn.of(1).isInvalid()).isFalse();
    }

    @Test
    void plusAndMinusAreExactAcrossTheSignBit() {
        Lsn a = Lsn.parse("7FFFFFFF/FFFFFFF0");
        assertThat(a.plus(0x20)).hasToString("80000000/10");
        assertThat(a.plus(0x20).minus(a)).isEqualTo(0x20);
        assertThat(Lsn.parse("16/B374D848").minus(Lsn.parse("16/B3000000"))).isEqualTo(0x74D848);
        assertThat(Lsn.of(-1L).plus(0)).isEqualTo(Lsn.of(-1L));
        assertThat(Lsn.of(5).minus(Lsn.of(5))).isZero();
    }

    @Test
    void plusRefusesNegativeCountsAndOverflow() {
        assertThatThrownBy(() -> Lsn.of(10).plus(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot add a negative byte count to LSN 0/A: -1");
        assertThatThrownBy(() -> Lsn.parse("FFFFFFFF/FFFFFFF0").plus(0x10))
                .isInstanceOf(ArithmeticException.class)
                .hasMessage("LSN FFFFFFFF/FFFFFFF0 + 16 bytes passes FFFFFFFF/FFFFFFFF");
    }

    @Test
    void minusRefusesNegativeDistancesAndOverflow() {
        assertThatThrownBy(() -> Lsn.parse("0/10").minus(Lsn.parse("0/11")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("LSN 0/11 is after 0/10: the distance would be negative");
        assertThatThrownBy(() -> Lsn.of(-1L).minus(Lsn.ZERO))
                .isInstanceOf(ArithmeticException.class)
                .hasMessage("the distance from 0/0 to FFFFFFFF/FFFFFFFF does not fit a signed 64-bit number");
    }

    @Test
    void segmentArithmeticMatchesXlogInternalMacros() {
        Lsn lsn = Lsn.parse("16/B374D848");
        int mb16 = 16 << 20;
        assertThat(lsn.segmentNumber(mb16)).isEqualTo(0x16B3L);
        assertThat(lsn.segmentOffset(mb16)).isEqualTo(0x74D848);
        assertThat(lsn.segmentStart(mb16)).isEqualTo(Lsn.parse("16/B3000000"));
        assertThat(lsn.segmentNumber(WalSegmentSize.DEFAULT)).isEqualTo(0x16B3L);

        Lsn top = Lsn.of(-1L);
        assertThat(top.segmentNumber(1 << 30)).isEqualTo((1L << 34) - 1);
        assertThat(top.segmentOffset(1 << 30)).isEqualTo((1 << 30) - 1);
        assertThat(top.segmentStart(1 << 30)).isEqualTo(Lsn.parse("FFFFFFFF/C0000000"));
    }

    @Test
    void segmentArithmeticRefusesInvalidSizes() {
        assertThatThrownBy(() -> Lsn.ZERO.segmentNumber(3 << 20))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment size 3145728 bytes: expected a power of two from 1MB to 1GB");
    }

    @Test
    void parseAndPrintRoundTripOverRandomValues() {
        Random random = new Random(20_260_521L);
        for (int i = 0; i < 10_000; i++) {
            Lsn lsn = Lsn.of(random.nextLong());
            assertThat(Lsn.parse(lsn.toString())).isEqualTo(lsn);
            String padded = "%X/%08X".formatted(lsn.value() >>> 32, lsn.value() & 0xFFFFFFFFL);
            assertThat(Lsn.parse(padded.toLowerCase(java.util.Locale.ROOT))).isEqualTo(lsn);
        }
    }
}
