package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WalSegmentSizeTest {

    @ParameterizedTest
    @CsvSource({
            "1MB, 1048576", "16MB, 16777216", "64MB, 67108864", "512MB, 536870912", "1GB, 1073741824",
            "1024MB, 1073741824", "1024kB, 1048576", "16384kB, 16777216",
    })
    void parsesWhatShowWalSegmentSizePrints(String text, int bytes) {
        assertThat(WalSegmentSize.parse(text).bytes()).isEqualTo(bytes);
    }

    @Test
    void printsLikeShow() {
        assertThat(WalSegmentSize.DEFAULT).hasToString("16MB");
        assertThat(WalSegmentSize.of(1 << 20)).hasToString("1MB");
        assertThat(WalSegmentSize.of(1 << 30)).hasToString("1GB");
        for (int shift = 20; shift <= 30; shift++) {
            WalSegmentSize size = WalSegmentSize.of(1 << shift);
            assertThat(WalSegmentSize.parse(size.toString())).isEqualTo(size);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"16", "16 MB", "16mb", "16Mb", "16KB", "16TB", "MB", "-16MB", "16.0MB", " 16MB", "16MB ", "99999999999GB"})
    void rejectsOtherFormats(String text) {
        assertThatThrownBy(() -> WalSegmentSize.parse(text))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("invalid WAL segment size \"" + text + "\": expected a number followed by kB, MB or GB, such as 16MB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0MB", "3MB", "2GB", "512kB", "1000kB", "4GB", "9999999999GB"})
    void rejectsSizesThatAreNotAPowerOfTwoFrom1MBTo1GB(String text) {
        assertThatThrownBy(() -> WalSegmentSize.parse(text))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment size \"" + text + "\": expected a power of two from 1MB to 1GB");
    }

    @Test
    void constructorValidates() {
        assertThatThrownBy(() -> WalSegmentSize.of(1 << 19))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid WAL segment size 524288 bytes: expected a power of two from 1MB to 1GB");
        assertThatThrownBy(() -> WalSegmentSize.of((1 << 20) + 1)).isInstanceOf(CellarException.class);
        assertThatThrownBy(() -> WalSegmentSize.of(Integer.MIN_VALUE)).isInstanceOf(CellarException.class);
    }

    @Test
    void segmentsPerXLogIdAndCount() {
        assertThat(WalSegmentSize.DEFAULT.segmentsPerXLogId()).isEqualTo(256);
        assertThat(WalSegmentSize.of(1 << 20).segmentsPerXLogId()).isEqualTo(4096);
        assertThat(WalSegmentSize.of(1 << 30).segmentsPerXLogId()).isEqualTo(4);
        assertThat(WalSegmentSize.DEFAULT.segmentCount()).isEqualTo(1L << 40);
        assertThat(WalSegmentSize.of(1 << 20).segmentCount()).isEqualTo(1L << 44);
        assertThat(WalSegmentSize.of(1 << 30).segmentCount()).isEqualTo(1L << 34);
    }
}
