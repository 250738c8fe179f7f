package dev.cellar.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class Crc32cCombinationTest {
    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    @Test
    void combiningThePartsGivesTheCrcOfTheWhole() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            byte[] data = new byte[random.nextInt(1, 70_000)];
            random.nextBytes(data);
            int cut = random.nextInt(data.length + 1);
            int whole = crc(data, 0, data.length);
            int combined = Crc32cCombination.combine(crc(data, 0, cut), crc(data, cut, data.length - cut),
                    data.length - cut);
            assertThat(combined).as("length %d cut at %d", data.length, cut).isEqualTo(whole);
        }
    }

    @Test
    void manyPiecesCombineInOrderAndLargeLengthsWork() {
        byte[] data = new byte[3 * (1 << 20) + 17];
        new Random(7).nextBytes(data);
        int piece = 1 << 20;
        int crc = crc(data, 0, 0);
        for (int offset = 0; offset < data.length; offset += piece) {
            int length = Math.min(piece, data.length - offset);
            crc = Crc32cCombination.combine(crc, crc(data, offset, length), length);
        }
        assertThat(crc).isEqualTo(crc(data, 0, data.length));
        assertThat(Crc32cCombination.combine(123, 456, 0)).isEqualTo(123);
        assertThatThrownBy(() -> Crc32cCombination.combine(1, 2, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void printsAsTheManifestDoes() {
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Crc32cCombination.manifestHex(crc(check, 0, check.length))).isEqualTo("839206e3")
                .isEqualTo(ManifestChecksums.hex(ChecksumAlgorithm.CRC32C, check));
    }
}
