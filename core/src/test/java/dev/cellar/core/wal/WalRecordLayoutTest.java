package dev.cellar.core.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.wal.BlockReference.BlockImage;
import dev.cellar.core.wal.BlockReference.Compression;
import dev.cellar.core.wal.BlockReference.RelFileLocator;
import dev.cellar.core.wal.SyntheticRecord.Image;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding the fragment headers of synthetic records, one edge of xlogreader.c {@code DecodeXLogRecord} at a time. */
class WalRecordLayoutTest {

    private static final int BLCKSZ = 8192;
    private static final long[] REL = {1663, 5, 16384};
    private static final RelFileLocator LOCATOR = new RelFileLocator(1663, 5, 16384);

    private static WalRecordLayout decode(SyntheticRecord record) {
        byte[] bytes = record.bytes();
        return WalRecordLayout.decode(ByteBuffer.wrap(bytes), bytes.length, BLCKSZ);
    }

    @Test
    void aRecordWithOnlyTheHeader() {
        WalRecordLayout layout = decode(new SyntheticRecord(0, 0x40));
        assertThat(layout.totalLength()).isEqualTo(24);
        assertThat(layout.headersLength()).isEqualTo(24);
        assertThat(layout.blocks()).isEmpty();
        assertThat(layout.mainDataLength()).isZero();
        assertThat(layout.origin()).isEmpty();
        assertThat(layout.toplevelXid()).isEmpty();
    }

    @Test
    void shortMainDataIsTheLastBytes() {
        WalRecordLayout layout = decode(new SyntheticRecord(1, 0).mainData(new byte[200]));
        assertThat(layout.headersLength()).isEqualTo(24 + 2);
        assertThat(layout.mainDataLength()).isEqualTo(200);
        assertThat(layout.mainDataOffset()).isEqualTo(26);
    }

    @Test
    void mainDataOf256BytesOrMoreHasALongHeader() {
        WalRecordLayout layout = decode(new SyntheticRecord(1, 0).mainData(new byte[70_000]));
        assertThat(layout.headersLength()).isEqualTo(24 + 5);
        assertThat(layout.mainDataLength()).isEqualTo(70_000);
        assertThat(layout.totalLength()).isEqualTo(24 + 5 + 70_000);
    }

    @Test
    void aLongMainDataHeaderMayCarryAShortLength() {
        WalRecordLayout layout = decode(new SyntheticRecord(1, 0).mainData(new byte[3]).longMainDataHeader());
        assertThat(layout.mainDataLength()).isEqualTo(3);
        assertThat(layout.headersLength()).isEqualTo(29);
    }

    @Test
    void originAndToplevelXidComeBeforeTheMainData() {
        WalRecordLayout layout = decode(new SyntheticRecord(10, 0).block(0, BlockReference.HAS_DATA, new byte[5], null, REL, 7)
                .origin(3).toplevelXid(4_000_000_123L).mainData(new byte[9]));
        assertThat(layout.origin()).isEqualTo(OptionalInt.of(3));
        assertThat(layout.toplevelXid()).isEqualTo(OptionalLong.of(4_000_000_123L));
        assertThat(layout.blocks()).containsExactly(
                new BlockReference(0, BlockReference.HAS_DATA, 5, Optional.empty(), LOCATOR, 7));
        // 24 + block header 4 + relation 12 + block number 4 + origin 3 + toplevel xid 5 + data header 2
        assertThat(layout.headersLength()).isEqualTo(54);
        assertThat(layout.totalLength()).isEqualTo(54 + 5 + 9);
    }

    @Test
    void sameRelRepeatsThePreviousBlocksRelationAndForkAndFlagsAreKept() {
        int flags = BlockReference.HAS_DATA | BlockReference.WILL_INIT | 2;
        WalRecordLayout layout = decode(new SyntheticRecord(10, 0)
                .block(0, BlockReference.HAS_DATA, new byte[1], null, REL, 1)
                .block(3, flags | BlockReference.SAME_REL, new byte[2], null, null, 0xFFFF_FFFEL));
        BlockReference second = layout.blocks().get(1);
        assertThat(second.blockId()).isEqualTo(3);
        assertThat(second.relation()).isEqualTo(LOCATOR);
        assertThat(second.forkNumber()).isEqualTo(2);
        assertThat(second.hasFlag(BlockReference.WILL_INIT)).isTrue();
        assertThat(second.hasFlag(BlockReference.SAME_REL)).isTrue();
        assertThat(second.blockNumber()).isEqualTo(0xFFFF_FFFEL);
    }

    @Test
    void anImageWithAHoleStoresTheBlockWithoutIt() {
        WalRecordLayout layout = decode(new SyntheticRecord(10, 0)
                .block(0, BlockReference.HAS_IMAGE, new byte[0], Image.withHole(BLCKSZ, 200, 7000).applied(), REL, 3));
        BlockImage image = layout.blocks().get(0).image().orElseThrow();
        assertThat(image).isEqualTo(new BlockImage(BLCKSZ - 7000, 200, 7000, BlockImage.HAS_HOLE | BlockImage.APPLY));
        assertThat(image.hasHole()).isTrue();
        assertThat(image.applied()).isTrue();
        assertThat(image.compression()).isEqualTo(Compression.NONE);
        // 24 + 4 + image header 5 + relation 12 + block number 4
        assertThat(layout.headersLength()).isEqualTo(49);
        assertThat(layout.totalLength()).isEqualTo(49 + BLCKSZ - 7000);
    }

    @Test
    void anImageWithoutAHoleIsAWholeBlock() {
        WalRecordLayout layout = decode(new SyntheticRecord(0, 0xB0)
                .block(0, BlockReference.HAS_IMAGE, new byte[0], Image.full(BLCKSZ), REL, 0));
        assertThat(layout.blocks().get(0).image()).contains(new BlockImage(BLCKSZ, 0, 0, 0));
    }

    @Test
    void imageAndDataOfOneBlockBothCount() {
        WalRecordLayout layout = decode(new SyntheticRecord(10, 0)
                .block(0, BlockReference.HAS_IMAGE | BlockReference.HAS_DATA, new byte[30], Image.withHole(BLCKSZ, 100, 100), REL, 0)
                .mainData(new byte[4]));
        assertThat(layout.totalLength()).isEqualTo(layout.headersLength() + (BLCKSZ - 100) + 30 + 4);
        assertThat(layout.mainDataOffset()).isEqualTo(layout.totalLength() - 4);
    }

    /** bimg_info has the same layout in 15, 16, 17 and 18 (xlogrecord.h); it changed from 14 to 15. */
    @Nested
    class CompressedImages {
        @ParameterizedTest(name = "PostgreSQL {0}: {1}")
        @CsvSource({
                "15, PGLZ, 4", "15, LZ4, 8", "15, ZSTD, 16",
                "16, PGLZ, 4", "16, LZ4, 8", "16, ZSTD, 16",
                "17, PGLZ, 4", "17, LZ4, 8", "17, ZSTD, 16",
                "18, PGLZ, 4", "18, LZ4, 8", "18, ZSTD, 16",
        })
        void withAHoleTheHoleLengthIsStored(int major, Compression compression, int flag) {
            SyntheticWal wal = new SyntheticWal(major);
            wal.append(new SyntheticRecord(10, 0)
                    .block(0, BlockReference.HAS_IMAGE, new byte[0], Image.compressed(900, flag, 300, 5000), REL, 1));
            BlockImage image = readOnlyRecord(wal).layout().blocks().get(0).image().orElseThrow();
            assertThat(image.compression()).isEqualTo(compression);
            assertThat(image).isEqualTo(new BlockImage(900, 300, 5000, flag | BlockImage.HAS_HOLE));
        }

        @ParameterizedTest(name = "PostgreSQL {0}")
        @ValueSource(ints = {15, 16, 17, 18})
        void withoutAHoleNothingMoreIsStored(int major) {
            SyntheticWal wal = new SyntheticWal(major);
            wal.append(new SyntheticRecord(10, 0)
                    .block(0, BlockReference.HAS_IMAGE, new byte[0], Image.compressed(1234, BlockImage.COMPRESS_LZ4, 0, 0).applied(), REL, 1)
                    .mainData(new byte[] {1, 2}));
            WalRecord record = readOnlyRecord(wal);
            BlockImage image = record.layout().blocks().get(0).image().orElseThrow();
            assertThat(image).isEqualTo(new BlockImage(1234, 0, 0, BlockImage.COMPRESS_LZ4 | BlockImage.APPLY));
            assertThat(record.layout().headersLength()).isEqualTo(24 + 4 + 5 + 12 + 4 + 2);
        }

        @Test
        void aCompressedImageAsLargeAsTheBlockIsRefused() {
            assertInvalid(new SyntheticRecord(10, 0).block(0, BlockReference.HAS_IMAGE, new byte[0],
                    Image.compressed(BLCKSZ, BlockImage.COMPRESS_PGLZ, 0, 0), REL, 1),
                    "block 0: BKPIMAGE_COMPRESSED set, but block image length 8192");
        }

        private WalRecord readOnlyRecord(SyntheticWal wal) {
            List<WalRecord> records = new java.util.ArrayList<>();
            WalRecordReader reader = WalRecordReader.builder().build(records::add);
            reader.readPartialSegment(wal.segmentName(0), ByteBuffer.wrap(wal.segment(0)));
            assertThat(records).hasSize(1);
            return records.get(0);
        }
    }

    @Nested
    class Malformed {
        @Test
        void blockIdsMustAscend() {
            assertInvalid(new SyntheticRecord(10, 0)
                    .block(2, BlockReference.HAS_DATA, new byte[1], null, REL, 1)
                    .block(2, BlockReference.HAS_DATA, new byte[1], null, REL, 1), "out-of-order block_id 2");
        }

        @Test
        void blockIdsAbove32AndBelow252AreNotDefined() {
            assertInvalid(new SyntheticRecord(10, 0).rawHeaderBytes(33, 0, 0, 0), "invalid block_id 33");
            assertInvalid(new SyntheticRecord(10, 0).rawHeaderBytes(251), "invalid block_id 251");
        }

        @Test
        void sameRelNeedsAPreviousRelation() {
            assertInvalid(new SyntheticRecord(10, 0).block(0, BlockReference.HAS_DATA | BlockReference.SAME_REL, new byte[1], null, null, 1),
                    "block 0: BKPBLOCK_SAME_REL set but no previous rel");
        }

        @Test
        void hasDataAndTheDataLengthGoTogether() {
            assertInvalid(new SyntheticRecord(10, 0).block(0, BlockReference.HAS_DATA, new byte[0], null, REL, 1),
                    "block 0: BKPBLOCK_HAS_DATA set, but no data included");
            assertInvalid(new SyntheticRecord(10, 0).block(0, 0, new byte[3], null, REL, 1),
                    "block 0: BKPBLOCK_HAS_DATA not set, but data length is 3");
        }

        @Test
        void aHoleNeedsAnOffsetALengthAndAShorterImage() {
            assertInvalid(new SyntheticRecord(10, 0).block(0, BlockReference.HAS_IMAGE, new byte[0],
                    new Image(SyntheticRecord.filled(BLCKSZ), 0, BlockImage.HAS_HOLE, -1), REL, 1),
                    "block 0: BKPIMAGE_HAS_HOLE set, but hole offset 0 length 0 block image length 8192");
            assertInvalid(new SyntheticRecord(10, 0).block(0, BlockReference.HAS_IMAGE, new byte[0],
                    new Image(SyntheticRecord.filled(BLCKSZ - 10), 0, 0, -1), REL, 1),
                    "block 0: BKPIMAGE_HAS_HOLE not set, but hole offset 0 length 10");
        }

        @Test
        void theAnnouncedLengthsMustAddUpToTheRecord() {
            byte[] bytes = new SyntheticRecord(10, 0).block(0, BlockReference.HAS_DATA, new byte[10], null, REL, 1).bytes();
            assertThatThrownBy(() -> WalRecordLayout.decode(ByteBuffer.wrap(bytes), bytes.length - 1, BLCKSZ))
                    .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID))
                    .hasMessage("xl_tot_len 53 does not match its fragments: 10 bytes of images and data are announced, 9 follow the headers");
        }

        @Test
        void aRecordCutInsideItsHeaders() {
            byte[] bytes = new SyntheticRecord(10, 0).block(0, BlockReference.HAS_DATA, new byte[10], null, REL, 1).bytes();
            assertThatThrownBy(() -> WalRecordLayout.decode(ByteBuffer.wrap(bytes), 30, BLCKSZ))
                    .isInstanceOf(CellarException.class)
                    .hasMessage("xl_tot_len 30 ends inside the fragment headers");
        }
    }

    private static void assertInvalid(SyntheticRecord record, String message) {
        assertThatThrownBy(() -> decode(record))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID))
                .hasMessage(message);
    }
}
