package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimelineIdTest {

    @Test
    void parsesDecimalAndPrintsDecimal() {
        assertThat(TimelineId.parse("3").value()).isEqualTo(3);
        assertThat(TimelineId.parse("4294967295").value()).isEqualTo(0xFFFFFFFFL);
        assertThat(TimelineId.parse("10")).hasToString("10");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "4294967296", "99999999999", "-1", "+1", "1.0", " 1", "A", "0x1"})
    void rejectsWhatIsNotADecimalTimeline(String text) {
        assertThatThrownBy(() -> TimelineId.parse(text))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("invalid timeline ID \"" + text + "\": expected a decimal number from 1 to 4294967295");
    }

    @Test
    void readsAndWritesTheHexOfFileNames() {
        assertThat(TimelineId.fromHex("0000000A").value()).isEqualTo(10);
        assertThat(TimelineId.fromHex("FFFFFFFF").value()).isEqualTo(0xFFFFFFFFL);
        assertThat(TimelineId.of(10).toHex()).isEqualTo("0000000A");
        assertThat(TimelineId.of(0xFFFFFFFFL).toHex()).isEqualTo("FFFFFFFF");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000000a", "A", "00000000A", "0000000G", "", "1"})
    void rejectsHexThatIsNotEightUpperCaseDigits(String text) {
        assertThatThrownBy(() -> TimelineId.fromHex(text))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid timeline ID \"" + text + "\": expected 8 upper-case hexadecimal digits, such as 00000001");
    }

    @Test
    void timelineZeroDoesNotExist() {
        assertThatThrownBy(() -> TimelineId.fromHex("00000000"))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid timeline ID \"00000000\": timeline 0 does not exist");
        assertThatThrownBy(() -> TimelineId.of(0))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid timeline ID 0: expected 1 to 4294967295");
        assertThatThrownBy(() -> TimelineId.of(1L << 32))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid timeline ID 4294967296: expected 1 to 4294967295");
    }

    @Test
    void nextAndOrder() {
        assertThat(TimelineId.INITIAL.next()).isEqualTo(TimelineId.of(2));
        assertThat(TimelineId.of(2)).isGreaterThan(TimelineId.INITIAL);
        assertThat(TimelineId.INITIAL.isBefore(TimelineId.of(2))).isTrue();
        assertThatThrownBy(() -> TimelineId.of(0xFFFFFFFFL).next())
                .isInstanceOf(CellarException.class)
                .hasMessage("timeline 4294967295 is the last one; it has no next");
    }
}
