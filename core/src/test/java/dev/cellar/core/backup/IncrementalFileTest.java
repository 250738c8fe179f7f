package dev.cellar.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IncrementalFileTest {

    private static final String PATH = "base/5/INCREMENTAL.16384";
    private static final int BLCKSZ = 8192;

    /** A header as a little-endian server writes it: magic, count, truncation length, blocks, padding. */
    private static byte[] rawHeader(int magic, int count, int truncation, int... blocks) {
        int length = 12 + 4 * blocks.length;
        if (count > 0 && length % BLCKSZ != 0) {
            length += BLCKSZ - length % BLCKSZ;
        }
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(magic).putInt(count).putInt(truncation);
        for (int block : blocks) {
            buffer.putInt(block);
        }
        return buffer.array();
    }

    private static byte[] header(int truncation, int... blocks) {
        return rawHeader(0xd3ae1f0d, blocks.length, truncation, blocks);
    }

    private static void assertInvalid(byte[] bytes, long fileSize, String message) {
        assertThatThrownBy(() -> IncrementalFile.parseHeader(bytes, fileSize, PATH))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE);
                    assertThat(e.hint()).isPresent();
                })
                .hasMessage(message);
    }

    @Test
    void parsesAHeaderWithBlocks() {
        byte[] bytes = header(10, 0, 5, 9);
        assertThat(bytes).hasSize(BLCKSZ);

        IncrementalFile file = IncrementalFile.parseHeader(bytes, BLCKSZ + 3L * BLCKSZ, PATH);

        assertThat(file.truncationBlockLength()).isEqualTo(10);
        assertThat(file.blockNumbers()).containsExactly(0, 5, 9);
        assertThat(file.blockCount()).isEqualTo(3);
        assertThat(file.blockNumber(1)).isEqualTo(5);
        assertThat(file.headerLength()).isEqualTo(BLCKSZ);
        assertThat(file.fileSize()).isEqualTo(4L * BLCKSZ);
        assertThat(file.pageOffset(0)).isEqualTo(BLCKSZ);
        assertThat(file.pageOffset(2)).isEqualTo(3L * BLCKSZ);
        assertThat(file.indexOf(9)).hasValue(2);
        assertThat(file.indexOf(6)).isEmpty();
        assertThat(file.reconstructedBlockLength()).isEqualTo(10);
        assertThat(file.header()).isEqualTo(bytes);
        assertThat(file).isEqualTo(new IncrementalFile(10, new int[] {0, 5, 9}))
                .hasSameHashCodeAs(new IncrementalFile(10, new int[] {0, 5, 9}));
        assertThat(file.toString()).isEqualTo("IncrementalFile[truncationBlockLength=10, 3 blocks [0, 5, 9]]");
        assertThatThrownBy(() -> file.pageOffset(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aHeaderWithoutBlocksHasNoPadding() {
        byte[] bytes = header(7);
        assertThat(bytes).hasSize(12);

        IncrementalFile file = IncrementalFile.parseHeader(bytes, 12, PATH);

        assertThat(file.blockCount()).isZero();
        assertThat(file.headerLength()).isEqualTo(12);
        assertThat(file.fileSize()).isEqualTo(12);
        assertThat(file.reconstructedBlockLength()).isEqualTo(7);
        assertThat(file.header()).isEqualTo(bytes);
    }

    @Test
    void blocksBeyondTheTruncationLengthExtendTheReconstructedFile() {
        assertThat(new IncrementalFile(2, new int[] {1, 6}).reconstructedBlockLength()).isEqualTo(7);
    }

    @Test
    void headerLengthsRoundUpToWholePages() {
        assertThat(IncrementalFile.headerLength(0)).isEqualTo(12);
        assertThat(IncrementalFile.headerLength(1)).isEqualTo(BLCKSZ);
        assertThat(IncrementalFile.headerLength(2045)).as("12 + 4 * 2045 is exactly one page").isEqualTo(BLCKSZ);
        assertThat(IncrementalFile.headerLength(2046)).isEqualTo(2 * BLCKSZ);
        assertThat(IncrementalFile.headerLength(131072)).isEqualTo(65 * BLCKSZ);
        assertThat(IncrementalFile.fileSize(131072)).isEqualTo(65L * BLCKSZ + 131072L * BLCKSZ);
        assertThatThrownBy(() -> IncrementalFile.headerLength(131073))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("block count 131073 is outside 0..131072");
    }

    @Test
    void aReaderLearnsHowMuchHeaderToRead() {
        int[] blocks = new int[3000];
        Arrays.setAll(blocks, i -> 2 * i);
        byte[] bytes = header(6000, blocks);

        int needed = IncrementalFile.headerBytesToRead(Arrays.copyOf(bytes, 12), PATH);
        assertThat(needed).isEqualTo(12 + 4 * 3000);

        IncrementalFile file = IncrementalFile.parseHeader(Arrays.copyOf(bytes, needed), IncrementalFile.fileSize(3000), PATH);
        assertThat(file.headerLength()).isEqualTo(2 * BLCKSZ);
        assertThat(file.blockNumber(2999)).isEqualTo(5998);
        assertThat(file.toString()).isEqualTo("IncrementalFile[truncationBlockLength=6000, 3000 blocks]");
    }

    @Test
    void parsesFromTheBufferPositionWithoutMovingIt() {
        byte[] bytes = header(4, 3);
        ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 5);
        buffer.position(5);
        buffer.put(bytes).position(5);

        IncrementalFile file = IncrementalFile.parseHeader(buffer, 2L * BLCKSZ, PATH);

        assertThat(file).isEqualTo(new IncrementalFile(4, new int[] {3}));
        assertThat(buffer.position()).isEqualTo(5);
        assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
    }

    @Test
    void blockNumbersAreCopiedInAndOut() {
        int[] blocks = {1, 2};
        IncrementalFile file = new IncrementalFile(3, blocks);
        blocks[0] = 0;
        file.blockNumbers()[1] = 99;
        assertThat(file.blockNumbers()).containsExactly(1, 2);
    }

    @Test
    void aBigEndianFileIsRefusedWithAClearMessage() {
        ByteBuffer bigEndian = ByteBuffer.allocate(12).putInt(0xd3ae1f0d).putInt(0).putInt(0);
        assertInvalid(bigEndian.array(), 12, "invalid incremental file base/5/INCREMENTAL.16384: it was written by a "
                + "big-endian server; Cellar reads incremental files of little-endian servers (x86-64, ARM64) only");
        assertThatThrownBy(() -> IncrementalFile.headerBytesToRead(bigEndian.array(), PATH))
                .isInstanceOf(CellarException.class)
                .hasMessageContaining("big-endian");
    }

    @Test
    void aWrongMagicIsNotAnIncrementalFile() {
        assertInvalid(rawHeader(0x12345678, 0, 0), 12,
                "invalid incremental file base/5/INCREMENTAL.16384: bad magic number 0x12345678 (expected 0xd3ae1f0d): "
                        + "not an incremental file");
    }

    @Test
    void tooFewBytesAreRefused() {
        assertInvalid(new byte[11], 11, "invalid incremental file base/5/INCREMENTAL.16384: it has only 11 bytes, but an "
                + "incremental file starts with a 12-byte header");
        assertInvalid(Arrays.copyOf(header(4, 1, 2), 16), 3L * BLCKSZ,
                "invalid incremental file base/5/INCREMENTAL.16384: the header lists 2 blocks and needs 20 bytes, but only "
                        + "16 were given");
    }

    @Test
    void countsAndLengthsBeyondASegmentAreRefused() {
        assertInvalid(rawHeader(0xd3ae1f0d, 131073, 0), 12,
                "invalid incremental file base/5/INCREMENTAL.16384: it lists 131073 blocks, more than the 131072 of a segment");
        assertInvalid(rawHeader(0xd3ae1f0d, -1, 0), 12,
                "invalid incremental file base/5/INCREMENTAL.16384: it lists 4294967295 blocks, more than the 131072 of a segment");
        assertInvalid(header(131073), 12,
                "invalid incremental file base/5/INCREMENTAL.16384: the truncation block length 131073 exceeds the "
                        + "131072 blocks of a segment");
        assertInvalid(header(0, 131072), 2L * BLCKSZ,
                "invalid incremental file base/5/INCREMENTAL.16384: block number 131072 (entry 0) is not below the "
                        + "131072 blocks of a segment");
        assertInvalid(header(0, -5), 2L * BLCKSZ,
                "invalid incremental file base/5/INCREMENTAL.16384: block number 4294967291 (entry 0) is not below the "
                        + "131072 blocks of a segment");
    }

    @Test
    void blocksMustBeStrictlyAscending() {
        assertInvalid(header(10, 1, 5, 3), 4L * BLCKSZ,
                "invalid incremental file base/5/INCREMENTAL.16384: block numbers are not strictly ascending: entry 2 is 3 after 5");
        assertInvalid(header(10, 1, 1), 3L * BLCKSZ,
                "invalid incremental file base/5/INCREMENTAL.16384: block numbers are not strictly ascending: entry 1 is 1 after 1");
        assertThatThrownBy(() -> new IncrementalFile(10, new int[] {2, 1}))
                .isInstanceOf(CellarException.class)
                .hasMessage("invalid incremental file header: block numbers are not strictly ascending: entry 1 is 1 after 2");
    }

    @Test
    void theFileSizeMustMatchTheHeader() {
        assertInvalid(header(10, 1, 2), 3L * BLCKSZ - 1,
                "invalid incremental file base/5/INCREMENTAL.16384: the file has 24575 bytes, but a header of 8192 bytes "
                        + "and 2 pages of 8192 bytes make 24576");
        assertInvalid(header(10), BLCKSZ,
                "invalid incremental file base/5/INCREMENTAL.16384: the file has 8192 bytes, but a header of 12 bytes "
                        + "and 0 pages of 8192 bytes make 12");
    }

    @Test
    void thePaddingMustBeZero() {
        byte[] bytes = header(10, 1);
        bytes[100] = 1;
        assertInvalid(bytes, 2L * BLCKSZ,
                "invalid incremental file base/5/INCREMENTAL.16384: the padding after the block list is not zero at byte 100");
    }
}
