package dev.cellar.storage.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.OverwritePolicy;
import dev.cellar.storage.WriteOptions;
import dev.cellar.storage.memory.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockDecoderTest {
    private final InMemoryStore store = new InMemoryStore();

    @Test
    void decodesZstdAndPlainBlocksIntoNativeMemoryReusedFromCallToCall() {
        byte[] large = block(300_000, 1);
        byte[] small = block(1_000, 2);
        StoredObject largeObject = write("a.zst", new Codec.Zstd(3, 0), large);
        StoredObject smallObject = write("b.zst", new Codec.Zstd(3, 0), small);
        StoredObject plainObject = write("c", Codec.NONE, small);
        try (BlockDecoder decoder = new BlockDecoder(store)) {
            ByteBuffer first = decoder.decode(largeObject);
            assertThat(first.isDirect()).isTrue();
            assertThat(bytes(first)).isEqualTo(large);
            assertThat(bytes(decoder.decode(smallObject))).isEqualTo(small);
            assertThat(bytes(decoder.decode(plainObject))).isEqualTo(small);
            assertThat(bytes(decoder.decode(largeObject))).isEqualTo(large);
        }
    }

    @Test
    void aFlippedStoredByteFailsBeforeAnythingIsDecoded() {
        StoredObject object = write("a.zst", new Codec.Zstd(3, 0), block(100_000, 3));
        byte[] stored = stored(object);
        stored[stored.length / 2] ^= 0x10;
        replace(object, stored);
        try (BlockDecoder decoder = new BlockDecoder(store)) {
            assertThatThrownBy(() -> decoder.decode(object)).isInstanceOf(CellarException.class)
                    .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.OBJECT_CORRUPT))
                    .hasMessageContaining("a.zst").hasMessageContaining("stored SHA-256");
        }
    }

    @Test
    void anObjectThatGrewOrARecordThatDisagreesIsCorrupt() {
        StoredObject object = write("a.zst", new Codec.Zstd(3, 0), block(50_000, 4));
        byte[] stored = stored(object);
        try (BlockDecoder decoder = new BlockDecoder(store)) {
            replace(object, Arrays.copyOf(stored, stored.length + 1));
            assertThatThrownBy(() -> decoder.decode(object)).isInstanceOf(CellarException.class)
                    .hasMessageContaining("more than the recorded");
            replace(object, stored);
            StoredObject longer = new StoredObject(object.key(), object.codec(), object.logicalSize() + 1, null,
                    object.storedSize(), object.storedSha256());
            assertThatThrownBy(() -> decoder.decode(longer)).isInstanceOf(CellarException.class)
                    .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.OBJECT_CORRUPT))
                    .hasMessageContaining("decoded size 50000 bytes does not match the recorded 50001");
            StoredObject shorter = new StoredObject(object.key(), object.codec(), object.logicalSize() - 1, null,
                    object.storedSize(), object.storedSha256());
            assertThatThrownBy(() -> decoder.decode(shorter)).isInstanceOf(CellarException.class)
                    .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
        }
    }

    @Test
    void aPlainBlockIsCheckedAgainstItsLogicalChecksum() {
        byte[] block = block(10_000, 5);
        StoredObject object = write("p", Codec.NONE, block);
        StoredObject wrong = new StoredObject(object.key(), Codec.NONE, object.logicalSize(), "00".repeat(32),
                object.storedSize(), object.storedSha256());
        try (BlockDecoder decoder = new BlockDecoder(store)) {
            assertThatThrownBy(() -> decoder.decode(wrong)).isInstanceOf(CellarException.class)
                    .hasMessageContaining("decoded SHA-256");
        }
    }

    @Test
    void aPlainBlockLongerThanItsRecordIsCorrupt() {
        byte[] block = block(10_000, 6);
        StoredObject object = write("q", Codec.NONE, block);
        StoredObject shorter = new StoredObject(object.key(), Codec.NONE, object.logicalSize() - 1,
                object.logicalSha256(), object.storedSize(), object.storedSha256());
        try (BlockDecoder decoder = new BlockDecoder(store)) {
            assertThatThrownBy(() -> decoder.decode(shorter)).isInstanceOf(CellarException.class)
                    .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
        }
    }

    @Test
    void onlyBlocksUpToTheLimitFit() {
        StoredObject huge = new StoredObject(ObjectKey.of("h.zst"), new Codec.Zstd(3, 0), BlockDecoder.MAX_BLOCK + 1,
                null, 10, "00".repeat(32));
        assertThat(BlockDecoder.fits(huge)).isFalse();
        try (BlockDecoder decoder = new BlockDecoder(store)) {
            assertThatThrownBy(() -> decoder.decode(huge)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static byte[] block(int size, long seed) {
        byte[] block = new byte[size];
        new Random(seed).nextBytes(block);
        Arrays.fill(block, size / 2, size, (byte) 'x'); // half compressible
        return block;
    }

    private StoredObject write(String name, Codec codec, byte[] block) {
        try (BlockEncoder encoder = new BlockEncoder(codec, block.length)) {
            return new StoredObjectWriter(store).writeBlock(ObjectKey.of(name), encoder, block, 0, block.length,
                    OverwritePolicy.FAIL_IF_EXISTS);
        }
    }

    private byte[] stored(StoredObject object) {
        try (InputStream in = store.get(object.key())) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void replace(StoredObject object, byte[] bytes) {
        store.put(object.key(), new ByteArrayInputStream(bytes), WriteOptions.replace());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }
}
