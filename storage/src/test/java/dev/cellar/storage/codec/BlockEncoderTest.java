package dev.cellar.storage.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.OverwritePolicy;
import dev.cellar.storage.io.Sha256;
import dev.cellar.storage.memory.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockEncoderTest {
    @Test
    void zstdBlocksDecodeWithTheCodecsStreamDecoderAndCarryAChecksum() throws IOException {
        byte[] block = new byte[100_000];
        new Random(1).nextBytes(block);
        Arrays.fill(block, 50_000, 100_000, (byte) 'a');
        Codec zstd = new Codec.Zstd(3, 4); // workers do not apply to blocks
        try (BlockEncoder encoder = new BlockEncoder(zstd, block.length)) {
            assertThat(encoder.maxOutputSize()).isGreaterThan(block.length);
            for (int round = 0; round < 3; round++) { // the encoder is reused
                BlockEncoder.Encoded encoded = encoder.encode(block, 10, block.length - 10);
                assertThat(encoded.length()).isLessThan(60_000);
                byte[] stored = Arrays.copyOfRange(encoded.array(), encoded.offset(), encoded.offset() + encoded.length());
                try (InputStream in = zstd.wrap(new ByteArrayInputStream(stored))) {
                    assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(block, 10, block.length));
                }
                // Frame header descriptor: content checksum flag (bit 2) set.
                assertThat(stored[4] & 0x04).isEqualTo(0x04);
            }
            assertThatThrownBy(() -> encoder.encode(new byte[block.length + 1], 0, block.length + 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void uncompressedBlocksAreTheCallersBytes() {
        byte[] block = {1, 2, 3, 4};
        try (BlockEncoder encoder = new BlockEncoder(Codec.NONE, 4)) {
            assertThat(encoder.encode(block, 1, 2)).isEqualTo(new BlockEncoder.Encoded(block, 1, 2));
        }
    }

    @Test
    void writeBlockRecordsTheStoredChecksumAndReadsBackVerified() throws IOException {
        InMemoryStore store = new InMemoryStore();
        byte[] block = "block of a backup chunk ".repeat(1000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Codec zstd = new Codec.Zstd(3, 0);
        StoredObject object;
        try (BlockEncoder encoder = new BlockEncoder(zstd, block.length)) {
            object = new StoredObjectWriter(store).writeBlock(ObjectKey.of("b/0.zst"), encoder, block, 0, block.length,
                    OverwritePolicy.FAIL_IF_EXISTS);
        }
        assertThat(object.logicalSize()).isEqualTo(block.length);
        assertThat(object.logicalSha256()).as("the frame's content checksum stands in for it").isNull();
        assertThat(object.storedSize()).isLessThan(block.length / 10);
        try (InputStream in = store.get(object.key())) {
            assertThat(object.storedSha256()).isEqualTo(Sha256.hex(in.readAllBytes()));
        }
        assertThat(new VerifyingReader(store).readAllBytes(object)).isEqualTo(block);
    }

    @Test
    void writeBlockWithoutCompressionRecordsTheStoredChecksumAsTheLogicalOne() {
        InMemoryStore store = new InMemoryStore();
        byte[] block = "uncompressed chunk ".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StoredObject object;
        try (BlockEncoder encoder = new BlockEncoder(Codec.NONE, block.length)) {
            object = new StoredObjectWriter(store).writeBlock(ObjectKey.of("b/0"), encoder, block, 0, block.length,
                    OverwritePolicy.FAIL_IF_EXISTS);
        }
        assertThat(object.logicalSha256()).isEqualTo(Sha256.hex(block)).isEqualTo(object.storedSha256());
        assertThat(new VerifyingReader(store).readAllBytes(object)).isEqualTo(block);
    }

    @Test
    void aFrameWhoseContentChecksumFailsIsCorruptEvenWithoutALogicalChecksum() throws IOException {
        InMemoryStore store = new InMemoryStore();
        byte[] block = "block of a backup chunk ".repeat(1000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StoredObject object;
        try (BlockEncoder encoder = new BlockEncoder(new Codec.Zstd(3, 0), block.length)) {
            object = new StoredObjectWriter(store).writeBlock(ObjectKey.of("b/0.zst"), encoder, block, 0, block.length,
                    OverwritePolicy.FAIL_IF_EXISTS);
        }
        byte[] frame;
        try (InputStream in = store.get(object.key())) {
            frame = in.readAllBytes();
        }
        // The last 4 bytes of the frame are its content checksum: record the damaged frame as if
        // it had been written so (stored SHA-256 matching), so only the decoder can tell.
        frame[frame.length - 1] ^= 1;
        ObjectKey damagedKey = ObjectKey.of("b/1.zst");
        store.put(damagedKey, new ByteArrayInputStream(frame), dev.cellar.storage.WriteOptions.failIfExists());
        StoredObject damaged = new StoredObject(damagedKey, object.codec(), object.logicalSize(), null, frame.length,
                Sha256.hex(frame));
        assertThatThrownBy(() -> new VerifyingReader(store).readAllBytes(damaged))
                .hasMessageContaining("cannot decode its zstd:3 data although its stored SHA-256");
    }

    @Test
    void onlyZstdObjectsMayGoWithoutALogicalChecksum() {
        assertThatThrownBy(() -> new StoredObject(ObjectKey.of("b/0"), Codec.NONE, 1, null, 1, Sha256.hex(new byte[1])))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
