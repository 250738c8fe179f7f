package dev.cellar.restore.combine;

import static dev.cellar.core.backup.IncrementalFile.BLOCK_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.backup.ChecksumAlgorithm;
import dev.cellar.core.backup.ManifestChecksums;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random chains checked against a direct model of reconstruct.c: a source map filled from the
 * newest incremental file, then older ones and finally the full file, each only below the newest
 * truncation_block_length, with zeros where nothing is mapped.
 */
class BlockReconstructionModelTest {

    @TempDir
    Path tmp;

    private record Layer(String name, int truncation, int[] blocks) {
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24})
    void matchesTheModelOfReconstructC(long seed) throws IOException {
        Random random = new Random(seed);
        int baseBlocks = random.nextInt(400);
        int tornBytes = random.nextInt(4) == 0 ? 1 + random.nextInt(BLOCK_SIZE - 1) : 0;
        List<Layer> layers = new ArrayList<>();
        int count = 1 + random.nextInt(4);
        for (int i = 1; i <= count; i++) {
            int truncation = random.nextInt(500);
            TreeSet<Integer> blocks = new TreeSet<>();
            int wanted = random.nextInt(3) == 0 ? 0 : random.nextInt(60);
            for (int j = 0; j < wanted; j++) {
                blocks.add(random.nextInt(520));
            }
            if (i == count && random.nextInt(3) == 0) {
                // The shape of an unchanged file: the newest layer has no blocks and the base's length.
                truncation = baseBlocks;
                blocks.clear();
            }
            layers.add(new Layer("incr" + i, truncation, blocks.stream().mapToInt(Integer::intValue).toArray()));
        }
        Path basePath = Segments.baseFile(tmp, "full", baseBlocks, tornBytes);
        List<IncrementalLayer> inputs = layers.stream()
                .map(layer -> Segments.layer(layer.name(), layer.truncation(), layer.blocks())).toList();
        Path output = tmp.resolve("out");

        ReconstructedFile result = BlockReconstruction.reconstruct(Segments.RELATION, new BaseFile("full", basePath),
                inputs, output, ChecksumAlgorithm.CRC32C);

        byte[] expected = model(baseBlocks, layers);
        byte[] actual = result.baseUnchanged() ? Files.readAllBytes(basePath) : Files.readAllBytes(output);
        assertThat(actual).isEqualTo(expected);
        assertThat(result.size()).isEqualTo(expected.length);
        assertThat(result.checksumHex()).isEqualTo(ManifestChecksums.hex(ChecksumAlgorithm.CRC32C, expected));
        assertThat(result.baseUnchanged()).isEqualTo(copyPossible(baseBlocks, tornBytes, layers));
        assertThat(Files.exists(output)).isEqualTo(!result.baseUnchanged());
    }

    private static byte[] model(int baseBlocks, List<Layer> layers) {
        Layer newest = layers.getLast();
        int length = newest.truncation();
        for (int block : newest.blocks()) {
            length = Math.max(length, block + 1);
        }
        String[] source = new String[length];
        for (int block : newest.blocks()) {
            source[block] = newest.name();
        }
        for (int i = layers.size() - 2; i >= 0; i--) {
            for (int block : layers.get(i).blocks()) {
                if (block < newest.truncation() && source[block] == null) {
                    source[block] = layers.get(i).name();
                }
            }
        }
        for (int block = 0; block < newest.truncation(); block++) {
            if (source[block] == null && block < baseBlocks) {
                source[block] = "full";
            }
        }
        byte[] bytes = new byte[length * BLOCK_SIZE];
        for (int block = 0; block < length; block++) {
            if (source[block] != null) {
                System.arraycopy(Segments.page(source[block], block), 0, bytes, block * BLOCK_SIZE, BLOCK_SIZE);
            }
        }
        return bytes;
    }

    private static boolean copyPossible(int baseBlocks, int tornBytes, List<Layer> layers) {
        Layer newest = layers.getLast();
        if (newest.blocks().length > 0 || tornBytes != 0 || baseBlocks != newest.truncation()) {
            return false;
        }
        return layers.stream().allMatch(layer -> layer.blocks().length == 0 || layer.blocks()[0] >= newest.truncation());
    }
}
