package dev.cellar.core.backup;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ManifestChecksumsTest {

    private static final byte[] CHECK = "123456789".getBytes(US_ASCII);

    @Test
    void crc32cIsPrintedAsTheLittleEndianMemoryImage() {
        // The standard CRC-32C check value of "123456789" is 0xe3069283. pg_checksum_final memcpy's
        // the uint32, so a little-endian server writes the bytes 83 92 06 e3.
        CRC32C crc = new CRC32C();
        crc.update(CHECK);
        assertThat(crc.getValue()).isEqualTo(0xe3069283L);

        assertThat(ManifestChecksums.hex(ChecksumAlgorithm.CRC32C, CHECK)).isEqualTo("839206e3");
        assertThat(ManifestChecksums.hex(ChecksumAlgorithm.CRC32C, new byte[0])).isEqualTo("00000000");
    }

    @Test
    void sha2DigestsAreLowerCaseHexInNaturalOrder() {
        byte[] abc = "abc".getBytes(US_ASCII);
        // FIPS 180-2 test vectors.
        assertThat(ManifestChecksums.hex(ChecksumAlgorithm.SHA224, abc))
                .isEqualTo("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
        assertThat(ManifestChecksums.hex(ChecksumAlgorithm.SHA256, abc))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ManifestChecksums.hex(ChecksumAlgorithm.SHA384, abc))
                .isEqualTo("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                        + "8086072ba1e7cc2358baeca134c825a7");
        assertThat(ManifestChecksums.hex(ChecksumAlgorithm.SHA512, abc))
                .isEqualTo("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                        + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void feedingInPiecesGivesTheSameChecksumAsOnce(ChecksumAlgorithm algorithm) {
        byte[] data = new byte[100_000];
        new Random(42).nextBytes(data);
        FileChecksum pieces = ManifestChecksums.start(algorithm);
        pieces.update(data, 0, 10).update(data, 10, 0).update(ByteBuffer.wrap(data, 10, 50_000));
        pieces.update(ByteBuffer.allocateDirect(data.length - 50_010).put(data, 50_010, data.length - 50_010).flip());

        String once = ManifestChecksums.hex(algorithm, data);
        assertThat(pieces.hex()).isEqualTo(once).hasSize(algorithm.hexLength());
        assertThat(pieces.hex()).as("hex() may be called again").isEqualTo(once);
        assertThat(pieces.algorithm()).isEqualTo(algorithm);
    }

    @Test
    void noneHasAnEmptyChecksum() {
        assertThat(ManifestChecksums.hex(ChecksumAlgorithm.NONE, CHECK)).isEmpty();
        assertThat(ChecksumAlgorithm.NONE.hexLength()).isZero();
    }

    @Test
    void aFinishedChecksumTakesNoMoreBytes() {
        FileChecksum checksum = ManifestChecksums.start(ChecksumAlgorithm.SHA256).update(CHECK);
        checksum.hex();
        assertThatThrownBy(() -> checksum.update(CHECK))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the SHA256 checksum is already finished");
        assertThatThrownBy(() -> ManifestChecksums.start(ChecksumAlgorithm.CRC32C).update(CHECK, 5, 10))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void algorithmNamesParseCaseInsensitivelyAsPostgresDoes() {
        assertThat(ChecksumAlgorithm.parse("crc32c")).isEqualTo(ChecksumAlgorithm.CRC32C);
        assertThat(ChecksumAlgorithm.parse("Sha512")).isEqualTo(ChecksumAlgorithm.SHA512);
        assertThat(ChecksumAlgorithm.parse("NONE")).isEqualTo(ChecksumAlgorithm.NONE);
        assertThat(ChecksumAlgorithm.SHA384.pgName()).isEqualTo("SHA384");
        assertThatThrownBy(() -> ChecksumAlgorithm.parse("MD5"))
                .isInstanceOf(CellarException.class)
                .hasMessage("unknown checksum algorithm \"MD5\": expected NONE, CRC32C, SHA224, SHA256, SHA384 or SHA512");
    }
}
