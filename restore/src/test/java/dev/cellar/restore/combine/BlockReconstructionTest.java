package dev.cellar.restore.combine;

import static dev.cellar.core.backup.IncrementalFile.BLOCK_SIZE;
import static dev.cellar.restore.combine.Segments.RELATION;
import static dev.cellar.restore.combine.Segments.baseFile;
import static dev.cellar.restore.combine.Segments.damagedLayer;
import static dev.cellar.restore.combine.Segments.layer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestChecksums;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BlockReconstructionTest {

    @TempDir
    Path tmp;

    private Path output() {
        return tmp.resolve("16384.tmp");
    }

    private ReconstructedFile reconstruct(BaseFile base, IncrementalLayer... layers) {
        return BlockReconstruction.reconstruct(RELATION, base, List.of(layers), output(), ChecksumAlgorithm.SHA256);
    }

    private BaseFile base(int blocks) throws IOException {
        return new BaseFile("full", baseFile(tmp, "full", blocks, 0));
    }

    /** The source of each block of {@code file}, e.g. {@code ["full#0", "incr1#1", "zero"]}. */
    private static List<String> blocksOf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes.length % BLOCK_SIZE).as("length of %s", file).isZero();
        List<String> blocks = new ArrayList<>();
        for (int offset = 0; offset < bytes.length; offset += BLOCK_SIZE) {
            blocks.add(Segments.describe(Arrays.copyOfRange(bytes, offset, offset + BLOCK_SIZE)));
        }
        return blocks;
    }

    private void assertRebuilt(ReconstructedFile result, String... blocks) throws IOException {
        assertThat(result.baseUnchanged()).as("base unchanged").isFalse();
        assertThat(blocksOf(output())).containsExactly(blocks);
        byte[] written = Files.readAllBytes(output());
        assertThat(result.size()).isEqualTo(written.length);
        assertThat(result.checksumHex()).isEqualTo(ManifestChecksums.hex(ChecksumAlgorithm.SHA256, written));
    }

    // --- which source supplies each block --------------------------------------------------------

    @Test
    void oneLayerReplacesItsBlocksAndTheBaseSuppliesTheRest() throws IOException {
        ReconstructedFile result = reconstruct(base(6), layer("incr1", 6, 1, 4));

        assertRebuilt(result, "full#0", "incr1#1", "full#2", "full#3", "incr1#4", "full#5");
    }

    @Test
    void theNewestLayerHoldingABlockWins() throws IOException {
        ReconstructedFile result = reconstruct(base(6),
                layer("incr1", 6, 1, 2, 3), layer("incr2", 6, 2, 5), layer("incr3", 6, 3));

        assertRebuilt(result, "full#0", "incr1#1", "incr2#2", "incr3#3", "full#4", "incr2#5");
    }

    @Test
    void aTruncationShorterThanTheBaseDropsTheBaseBlocksBeyondIt() throws IOException {
        ReconstructedFile result = reconstruct(base(10), layer("incr1", 4, 1));

        assertRebuilt(result, "full#0", "incr1#1", "full#2", "full#3");
    }

    @Test
    void blocksOfTheNewestLayerBeyondItsTruncationExtendTheFileAndTheGapIsZeros() throws IOException {
        // Blocks 5..7 exist in the base and 6, 7 in an older layer, but they are at or beyond the
        // newest truncation length: the relation was truncated to 5 blocks and re-extended since.
        ReconstructedFile result = reconstruct(base(10), layer("incr1", 10, 6, 7), layer("incr2", 5, 1, 8));

        assertRebuilt(result, "full#0", "incr2#1", "full#2", "full#3", "full#4", "zero", "zero", "zero", "incr2#8");
    }

    @Test
    void onlyTheNewestTruncationLengthCountsNotThoseOfOlderLayers() throws IOException {
        // incr1 saw the relation at 4 blocks; pg_combinebackup still takes blocks 4..7 from the base.
        ReconstructedFile result = reconstruct(base(8), layer("incr1", 4, 2), layer("incr2", 8, 0));

        assertRebuilt(result, "incr2#0", "full#1", "incr1#2", "full#3", "full#4", "full#5", "full#6", "full#7");
    }

    @Test
    void blocksBelowTheTruncationThatNoSourceHasAreZeros() throws IOException {
        ReconstructedFile result = reconstruct(base(2), layer("incr1", 5, 3));

        assertRebuilt(result, "full#0", "full#1", "zero", "incr1#3", "zero");
    }

    @Test
    void anOlderLayerSuppliesBlocksBeyondTheBase() throws IOException {
        ReconstructedFile result = reconstruct(base(2), layer("incr1", 5, 3), layer("incr2", 5));

        assertRebuilt(result, "full#0", "full#1", "zero", "incr1#3", "zero");
    }

    @Test
    void aTruncationToZeroGivesAnEmptyFile() throws IOException {
        ReconstructedFile result = reconstruct(base(3), layer("incr1", 0));

        assertRebuilt(result);
        assertThat(result.size()).isZero();
    }

    @Test
    void runsLongerThanTheBufferAreCopiedWhole() throws IOException {
        int blocks = 3 * BlockSink.BUFFER_BLOCKS + 7;
        ReconstructedFile result = reconstruct(base(blocks),
                layer("incr1", blocks, 0, BlockSink.BUFFER_BLOCKS - 1, BlockSink.BUFFER_BLOCKS, blocks - 1));

        List<String> expected = new ArrayList<>();
        for (int block = 0; block < blocks; block++) {
            boolean layered = block == 0 || block == BlockSink.BUFFER_BLOCKS - 1 || block == BlockSink.BUFFER_BLOCKS
                    || block == blocks - 1;
            expected.add((layered ? "incr1#" : "full#") + block);
        }
        assertRebuilt(result, expected.toArray(String[]::new));
    }

    // --- the unchanged fast path ---------------------------------------------------------------

    @Test
    void aLayerWithoutBlocksAndTheBaseLengthLeavesTheBaseUnchanged() throws IOException {
        Path base = baseFile(tmp, "full", 5, 0);

        ReconstructedFile result = reconstruct(new BaseFile("full", base), layer("incr1", 5), layer("incr2", 5));

        assertThat(result).isEqualTo(new ReconstructedFile(5L * BLOCK_SIZE, ChecksumAlgorithm.SHA256,
                ManifestChecksums.hex(ChecksumAlgorithm.SHA256, Files.readAllBytes(base)), true));
        assertThat(output()).doesNotExist();
    }

    @Test
    void unchangedReusesTheManifestChecksumOfTheSameAlgorithmWithoutReadingTheBase() throws IOException {
        String recorded = "ab".repeat(32);
        BaseFile base = new BaseFile("full", baseFile(tmp, "full", 5, 0), ChecksumAlgorithm.SHA256, recorded);

        assertThat(reconstruct(base, layer("incr1", 5)).checksumHex()).isEqualTo(recorded);
    }

    @Test
    void unchangedComputesTheChecksumWhenTheManifestUsedAnotherAlgorithm() throws IOException {
        Path path = baseFile(tmp, "full", 5, 0);
        BaseFile base = new BaseFile("full", path, ChecksumAlgorithm.CRC32C, "00000000");

        ReconstructedFile result = BlockReconstruction.reconstruct(RELATION, base, List.of(layer("incr1", 5)),
                output(), ChecksumAlgorithm.SHA512);

        assertThat(result.checksumHex()).isEqualTo(ManifestChecksums.hex(ChecksumAlgorithm.SHA512, Files.readAllBytes(path)));
    }

    @Test
    void olderLayerBlocksBeyondTheNewestTruncationDoNotPreventTheFastPath() throws IOException {
        assertThat(reconstruct(base(4), layer("incr1", 6, 5), layer("incr2", 4)).baseUnchanged()).isTrue();
    }

    @Test
    void anOlderLayerBlockBelowTheTruncationPreventsTheFastPath() throws IOException {
        ReconstructedFile result = reconstruct(base(4), layer("incr1", 4, 2), layer("incr2", 4));

        assertRebuilt(result, "full#0", "full#1", "incr1#2", "full#3");
    }

    @Test
    void aBaseLongerThanTheTruncationIsRewrittenShorter() throws IOException {
        assertRebuilt(reconstruct(base(6), layer("incr1", 5)), "full#0", "full#1", "full#2", "full#3", "full#4");
    }

    @Test
    void aBaseShorterThanTheTruncationIsRewrittenWithZeros() throws IOException {
        assertRebuilt(reconstruct(base(4), layer("incr1", 6)), "full#0", "full#1", "full#2", "full#3", "zero", "zero");
    }

    @Test
    void anEmptyBaseAndAnEmptyTruncationAreUnchanged() throws IOException {
        ReconstructedFile result = reconstruct(base(0), layer("incr1", 0));

        assertThat(result.baseUnchanged()).isTrue();
        assertThat(result.size()).isZero();
        assertThat(result.checksumHex()).isEqualTo(ManifestChecksums.hex(ChecksumAlgorithm.SHA256, new byte[0]));
    }

    // --- damaged or missing inputs -------------------------------------------------------------

    @Test
    void noFullCopyInTheChainIsRefused() {
        assertThatThrownBy(() -> reconstruct(null, layer("incr1", 5, 1), layer("incr2", 5)))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT))
                .hasMessage("cannot rebuild base/5/16384: no backup of the chain holds a full copy of it; "
                        + "even the oldest, incr1, has only base/5/INCREMENTAL.16384");
    }

    @Test
    void aMissingBaseFileIsAStorageFailure() {
        Path missing = tmp.resolve("absent");

        assertThatThrownBy(() -> reconstruct(new BaseFile("full", missing), layer("incr1", 5, 1)))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageStartingWith("cannot rebuild base/5/16384: reading the base copy from backup full (" + missing
                        + ") failed: java.nio.file.NoSuchFileException");
    }

    @Test
    void aTornLastBlockOfTheBaseIsIgnoredAsPgCombinebackupDoes() throws IOException {
        BaseFile base = new BaseFile("full", baseFile(tmp, "full", 3, 100));

        assertRebuilt(reconstruct(base, layer("incr1", 4)), "full#0", "full#1", "full#2", "zero");
    }

    @Test
    void aTornBaseIsNeverUnchangedEvenWhenItsWholeBlocksMatchTheTruncation() throws IOException {
        BaseFile base = new BaseFile("full", baseFile(tmp, "full", 3, 100));

        assertRebuilt(reconstruct(base, layer("incr1", 3)), "full#0", "full#1", "full#2");
    }

    @Test
    void theNewestLayerEndingInsideAPageIsCorruptAndLeavesNoOutput() throws IOException {
        BaseFile base = base(6);
        IncrementalLayer layer = damagedLayer("incr1", 100, 6, 1, 4);

        assertThatThrownBy(() -> reconstruct(base, layer))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT))
                .hasMessage("cannot rebuild base/5/16384: the incremental file base/5/INCREMENTAL.16384 of backup incr1 "
                        + "ends inside page 2 of 2 (block 4); its header promises 24576 bytes");
        assertThat(output()).doesNotExist();
    }

    @Test
    void anOlderLayerEndingEarlyIsCorruptEvenWhenANewerLayerOverridesThatPage() throws IOException {
        BaseFile base = base(6);
        IncrementalLayer older = damagedLayer("incr1", BLOCK_SIZE, 6, 1, 3);

        assertThatThrownBy(() -> reconstruct(base, older, layer("incr2", 6, 3)))
                .isInstanceOf(CellarException.class)
                .hasMessage("cannot rebuild base/5/16384: the incremental file base/5/INCREMENTAL.16384 of backup incr1 "
                        + "ends inside page 2 of 2 (block 3); its header promises 24576 bytes");
        assertThat(output()).doesNotExist();
    }

    @Test
    void aLayerStreamWithBytesAfterItsLastPageIsCorrupt() throws IOException {
        BaseFile base = base(6);

        assertThatThrownBy(() -> reconstruct(base, damagedLayer("incr1", -1, 6, 2)))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT))
                .hasMessage("cannot rebuild base/5/16384: the incremental file base/5/INCREMENTAL.16384 of backup incr1 "
                        + "has more bytes than its header and 1 pages of 8192 bytes (16384)");
        assertThat(output()).doesNotExist();
    }

    @Test
    void theFastPathStillChecksThatLayerStreamsEndWhereTheirHeadersSay() throws IOException {
        BaseFile base = base(4);

        assertThatThrownBy(() -> reconstruct(base, damagedLayer("incr1", 1, 6, 5), layer("incr2", 4)))
                .isInstanceOf(CellarException.class)
                .hasMessageContaining("of backup incr1 ends inside page 1 of 1 (block 5)");
    }

    @Test
    void anExistingOutputIsNeitherOverwrittenNorRemoved() throws IOException {
        Files.writeString(output(), "someone else's");
        BaseFile base = base(4);

        assertThatThrownBy(() -> reconstruct(base, layer("incr1", 4, 1)))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED))
                .hasMessageStartingWith("cannot rebuild base/5/16384: cannot create " + output());
        assertThat(output()).hasContent("someone else's");
    }

    @Test
    void noLayersIsAProgrammingError() throws IOException {
        BaseFile base = base(1);

        assertThatThrownBy(() -> BlockReconstruction.reconstruct(RELATION, base, List.of(), output(), ChecksumAlgorithm.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- streams, output file and checksums ----------------------------------------------------

    @Test
    void layerStreamsAreReadToTheirEndButNotClosed() throws IOException {
        byte[] file = Segments.incrementalFile("incr1", 4, 1);
        boolean[] closed = {false};
        InputStream in = new ByteArrayInputStream(file) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        IncrementalLayer layer = IncrementalLayer.read("incr1", "base/5/INCREMENTAL.16384", in, file.length);

        reconstruct(base(4), layer);

        assertThat(in.available()).isZero();
        assertThat(closed[0]).isFalse();
    }

    @Test
    void theOutputIsOwnerOnly() throws IOException {
        reconstruct(base(2), layer("incr1", 2, 0));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(output()))).isEqualTo("rw-------");
    }

    @ParameterizedTest
    @EnumSource(value = ChecksumAlgorithm.class, names = {"SHA256", "CRC32C", "NONE"})
    void theChecksumIsTheManifestChecksumOfTheWrittenBytes(ChecksumAlgorithm algorithm) throws IOException {
        ReconstructedFile result = BlockReconstruction.reconstruct(RELATION, base(300),
                List.of(layer("incr1", 300, 7, 200), layer("incr2", 302, 200, 301)), output(), algorithm);

        byte[] expected = new byte[302 * BLOCK_SIZE];
        for (int block = 0; block < 300; block++) {
            String source = block == 7 ? "incr1" : block == 200 ? "incr2" : "full";
            System.arraycopy(Segments.page(source, block), 0, expected, block * BLOCK_SIZE, BLOCK_SIZE);
        }
        System.arraycopy(Segments.page("incr2", 301), 0, expected, 301 * BLOCK_SIZE, BLOCK_SIZE);
        assertThat(Files.readAllBytes(output())).isEqualTo(expected);
        assertThat(result).isEqualTo(new ReconstructedFile(expected.length, algorithm,
                ManifestChecksums.hex(algorithm, expected), false));
        assertThat(result.checksumHex()).hasSize(algorithm.hexLength());
    }

    @Test
    void crc32cIsPrintedAsTheLittleEndianMemoryImage() throws IOException {
        // The result is one zero page: CRC-32C of 8192 zero bytes is 0x90444623, and a little-endian
        // server's manifest prints the uint32's memory image.
        ReconstructedFile result = BlockReconstruction.reconstruct(RELATION, base(0), List.of(layer("incr1", 1)),
                output(), ChecksumAlgorithm.CRC32C);

        assertThat(result.checksumHex()).isEqualTo("23464490");
    }
}
