package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class WalPageHeaderTest {

    /** A long header as a little-endian server writes it, byte by byte. */
    private static final byte[] LONG_HEADER = HexFormat.of().parseHex(
            "16d1" + "0600" + "02000000" + "0000000316000000" + "00000000" + "00000000"
                    + "0102030405060788" + "00000001" + "00200000");

    @Test
    void readsTheLongHeaderLittleEndian() {
        WalPageHeader header = WalPageHeader.parse(LONG_HEADER, 0);

        assertThat(header.magic()).isEqualTo(0xD116);
        assertThat(header.info()).isEqualTo(0x0006);
        assertThat(header.timeline()).isEqualTo(2);
        assertThat(header.pageAddress()).isEqualTo(Lsn.parse("16/3000000"));
        assertThat(header.remainingLength()).isZero();
        assertThat(header.isLong()).isTrue();
        assertThat(header.size()).isEqualTo(40);
        assertThat(header.hasFlag(WalPageHeader.XLP_LONG_HEADER)).isTrue();
        assertThat(header.hasFlag(WalPageHeader.XLP_BKP_REMOVABLE)).isTrue();
        assertThat(header.hasFlag(WalPageHeader.XLP_FIRST_IS_CONTRECORD)).isFalse();
        WalPageHeader.LongHeader longHeader = header.longHeader().orElseThrow();
        assertThat(longHeader.systemIdentifier()).isEqualTo(0x8807060504030201L);
        assertThat(Long.toUnsignedString(longHeader.systemIdentifier())).isEqualTo("9801809732607083009");
        assertThat(longHeader.segmentSize()).isEqualTo(16 << 20);
        assertThat(longHeader.blockSize()).isEqualTo(8192);
    }

    @Test
    void readsAShortHeaderWithUnsigned32BitFields() {
        byte[] bytes = HexFormat.of().parseHex("10d1" + "0500" + "ffffffff" + "00e0ffffffffffff" + "feffffff" + "00000000");
        WalPageHeader header = WalPageHeader.parse(ByteBuffer.wrap(bytes));

        assertThat(header.magic()).isEqualTo(0xD110);
        assertThat(header.info()).isEqualTo(WalPageHeader.XLP_FIRST_IS_CONTRECORD | WalPageHeader.XLP_BKP_REMOVABLE);
        assertThat(header.timeline()).isEqualTo(0xFFFFFFFFL);
        assertThat(header.pageAddress()).isEqualTo(Lsn.parse("FFFFFFFF/FFFFE000"));
        assertThat(header.remainingLength()).isEqualTo(0xFFFFFFFEL);
        assertThat(header.longHeader()).isEmpty();
        assertThat(header.size()).isEqualTo(24);
    }

    @Test
    void readsFromThePositionInNativeOrderWhateverTheBufferSaysAndLeavesItAlone() {
        ByteBuffer buffer = ByteBuffer.allocate(8 + LONG_HEADER.length).order(ByteOrder.BIG_ENDIAN);
        buffer.position(8);
        buffer.put(LONG_HEADER).position(8);

        WalPageHeader header = WalPageHeader.parse(buffer);

        assertThat(header.magic()).isEqualTo(0xD116);
        assertThat(buffer.position()).isEqualTo(8);
        assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(WalPageHeader.parse(buffer.array(), 8)).isEqualTo(header);
    }

    @Test
    void refusesBuffersTooShortForTheHeader() {
        assertThatThrownBy(() -> WalPageHeader.parse(new byte[23], 0))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID))
                .hasMessage("a WAL page header needs 24 bytes, only 23 are there");
        byte[] truncated = java.util.Arrays.copyOf(LONG_HEADER, 39);
        assertThatThrownBy(() -> WalPageHeader.parse(truncated, 0))
                .isInstanceOf(CellarException.class)
                .hasMessage("a long WAL page header needs 40 bytes, only 39 are there");
    }

    @Test
    void constructorKeepsFieldsInTheirOnDiskRanges() {
        assertThatThrownBy(() -> new WalPageHeader(0x10000, 0, 1, Lsn.ZERO, 0, Optional.empty()))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("invalid WAL page header: xlp_magic 65536 is not an unsigned 16-bit value");
        assertThatThrownBy(() -> new WalPageHeader(0xD116, 0, 1L << 32, Lsn.ZERO, 0, Optional.empty()))
                .hasMessage("invalid WAL page header: xlp_tli 4294967296 is not an unsigned 32-bit value");
        assertThatThrownBy(() -> new WalPageHeader(0xD116, 0, 1, Lsn.ZERO, -1, Optional.empty()))
                .hasMessage("invalid WAL page header: xlp_rem_len -1 is not an unsigned 32-bit value");
        assertThatThrownBy(() -> new WalPageHeader(0xD116, 2, 1, Lsn.ZERO, 0, Optional.empty()))
                .hasMessage("invalid WAL page header: long header fields must be present exactly when xlp_info 0x0002 has XLP_LONG_HEADER");
        assertThatThrownBy(() -> new WalPageHeader(0xD116, 0, 1, Lsn.ZERO, 0,
                Optional.of(new WalPageHeader.LongHeader(1, 1 << 20, 8192))))
                .hasMessage("invalid WAL page header: long header fields must be present exactly when xlp_info 0x0000 has XLP_LONG_HEADER");
    }

    @Test
    void magicPerMajorVersion() {
        assertThat(WalPageMagic.magicForMajor(15)).isEqualTo(0xD110);
        assertThat(WalPageMagic.magicForMajor(16)).isEqualTo(0xD113);
        assertThat(WalPageMagic.magicForMajor(17)).isEqualTo(0xD116);
        assertThat(WalPageMagic.magicForMajor(18)).isEqualTo(0xD118);
        assertThat(WalPageMagic.majorForMagic(0xD118)).isEqualTo(OptionalInt.of(18));
        assertThat(WalPageMagic.majorForMagic(0xD10D)).isEmpty(); // 14
        assertThat(WalPageMagic.majorForMagic(0xD120)).isEmpty(); // the post-18 development tree
        assertThat(WalPageMagic.supportedMajors()).containsExactly(15, 16, 17, 18);
        for (int major : WalPageMagic.supportedMajors()) {
            assertThat(WalPageMagic.majorForMagic(WalPageMagic.magicForMajor(major))).hasValue(major);
        }
    }

    @Test
    void unsupportedMajorsAreNamed() {
        assertThatThrownBy(() -> WalPageMagic.magicForMajor(14))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE))
                .hasMessage("PostgreSQL 14 is not supported: its WAL page magic is unknown (supported: 15, 16, 17, 18)");
    }
}
