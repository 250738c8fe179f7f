package dev.cellar.storage.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.ObjectExistsException;
import dev.cellar.storage.ObjectKey;
import dev.cellar.storage.ObjectNotFoundException;
import dev.cellar.storage.ForwardingStore;
import dev.cellar.storage.ObjectStore;
import dev.cellar.storage.OverwritePolicy;
import dev.cellar.storage.io.Sha256;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.memory.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writing objects through a codec and reading them back verified. Corruption is made on disk, as a
 * failing disk or a careless copy would make it. Reads run both ways: checked before decoding (the
 * default limit) and checked while streaming (limit 0).
 */
class StoredObjectTest {
    private static final ObjectKey KEY = ObjectKey.of("clusters/c1/wal/00000001/000000010000000000000001.zst");
    private static final int STREAMING = 0;
    private static final int PREVERIFIED = VerifyingReader.DEFAULT_PREVERIFY_LIMIT;
    private static final Codec ZSTD = new Codec.Zstd(3, 0);

    @TempDir
    Path root;

    private LocalStore store;
    private StoredObjectWriter writer;
    private final byte[] input = CodecTest.mixed(1024 * 1024, 11);

    @BeforeEach
    void openStore() {
        store = LocalStore.open(root);
        writer = new StoredObjectWriter(store);
    }

    @Test
    void writingRecordsSizesAndChecksumsOfBothSides() throws IOException {
        StoredObject written = writer.write(KEY, ZSTD, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);

        byte[] stored = Files.readAllBytes(file());
        assertThat(written.key()).isEqualTo(KEY);
        assertThat(written.codec()).isEqualTo(ZSTD);
        assertThat(written.logicalSize()).isEqualTo(input.length);
        assertThat(written.logicalSha256()).isEqualTo(Sha256.hex(input));
        assertThat(written.storedSize()).isEqualTo(stored.length).isLessThan(input.length);
        assertThat(written.storedSha256()).isEqualTo(Sha256.hex(stored));
        assertThat(CodecTest.decode(ZSTD, stored)).isEqualTo(input);
    }

    @ParameterizedTest
    @ValueSource(ints = {STREAMING, PREVERIFIED})
    void anIntactObjectReadsBackAsItsLogicalBytes(int preverifyLimit) throws IOException {
        VerifyingReader reader = new VerifyingReader(store, preverifyLimit);
        for (Codec codec : new Codec[] {Codec.NONE, ZSTD, new Codec.Zstd(19, 2)}) {
            ObjectKey key = ObjectKey.of("objects/" + codec.spec() + "-" + preverifyLimit);
            StoredObject written = writer.write(key, codec, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);

            try (InputStream in = reader.open(written)) {
                assertThat(in.readAllBytes()).isEqualTo(input);
                assertThat(in.read()).isEqualTo(-1);
            }
            assertThat(reader.readAllBytes(written)).isEqualTo(input);
            reader.verify(written);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {STREAMING, PREVERIFIED})
    void anEmptyObjectReadsBackEmpty(int preverifyLimit) {
        StoredObject written = writer.write(KEY, ZSTD, InputStream.nullInputStream(), OverwritePolicy.FAIL_IF_EXISTS);

        assertThat(written.logicalSize()).isZero();
        assertThat(new VerifyingReader(store, preverifyLimit).readAllBytes(written)).isEmpty();
    }

    @Test
    void aWrongLogicalSizeStoresNothing() {
        assertThatThrownBy(() -> writer.write(KEY, ZSTD, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS, 16 * 1024 * 1024))
                .isInstanceOf(CellarException.class)
                .hasMessage("cannot write object " + KEY + " to " + store.describe() + ": the stream ended after "
                        + input.length + " bytes, 16777216 were expected; nothing was stored");
        assertThat(store.listAll("")).isEmpty();
    }

    @Test
    void anExistingObjectIsNotReplacedUnlessAskedTo() {
        writer.write(KEY, ZSTD, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);

        assertThatThrownBy(() -> writer.write(KEY, ZSTD, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS))
                .isInstanceOf(ObjectExistsException.class);
        StoredObject replaced = writer.write(KEY, Codec.NONE, new ByteArrayInputStream(input), OverwritePolicy.REPLACE);
        assertThat(replaced.storedSize()).isEqualTo(input.length);
    }

    @Test
    void aSmallCorruptObjectFailsBeforeTheConsumerSeesAByte() throws IOException {
        StoredObject written = writer.write(KEY, ZSTD, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);
        flipBit(written.storedSize() / 2);

        assertThatThrownBy(() -> new VerifyingReader(store).open(written))
                .hasMessage(shaMismatch(written));
    }

    @Test
    void aLargeCorruptObjectStreamsUntilItsEndThenFails() throws IOException {
        StoredObject written = writer.write(KEY, Codec.NONE, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);
        flipBit(10);

        try (InputStream in = new VerifyingReader(store, STREAMING).open(written)) {
            // The documented trade-off: bytes arrive before the verdict, so the consumer discards them.
            assertThat(in.readNBytes(input.length)).hasSize(input.length);
            assertThatThrownBy(in::read).hasMessage(shaMismatch(written));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {STREAMING, PREVERIFIED})
    void aFlippedBitInACompressedObjectIsFound(int preverifyLimit) throws IOException {
        StoredObject written = writer.write(KEY, ZSTD, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);
        flipBit(written.storedSize() / 2);

        // Streaming, zstd's decoder usually notices first and its words are appended.
        assertThatThrownBy(() -> new VerifyingReader(store, preverifyLimit).verify(written))
                .isInstanceOf(CellarException.class)
                .hasMessageStartingWith(shaMismatch(written))
                .satisfies(StoredObjectTest::isCorruptWithHint);
    }

    @ParameterizedTest
    @ValueSource(ints = {STREAMING, PREVERIFIED})
    void aFlippedBitInAnUncompressedObjectIsFound(int preverifyLimit) throws IOException {
        StoredObject written = writer.write(KEY, Codec.NONE, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);
        flipBit(written.storedSize() - 1);

        assertThatThrownBy(() -> new VerifyingReader(store, preverifyLimit).verify(written))
                .hasMessage(shaMismatch(written))
                .satisfies(StoredObjectTest::isCorruptWithHint);
    }

    @ParameterizedTest
    @ValueSource(ints = {STREAMING, PREVERIFIED})
    void aCompressedObjectShortOfOneByteIsFound(int preverifyLimit) throws IOException {
        StoredObject written = writer.write(KEY, ZSTD, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);
        truncateByOne();

        assertThatThrownBy(() -> new VerifyingReader(store, preverifyLimit).verify(written))
                .hasMessageStartingWith(sizeMismatch(written))
                .satisfies(StoredObjectTest::isCorruptWithHint);
    }

    @ParameterizedTest
    @ValueSource(ints = {STREAMING, PREVERIFIED})
    void anUncompressedObjectShortOfOneByteIsFound(int preverifyLimit) throws IOException {
        StoredObject written = writer.write(KEY, Codec.NONE, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);
        truncateByOne();

        assertThatThrownBy(() -> new VerifyingReader(store, preverifyLimit).verify(written))
                .hasMessage(sizeMismatch(written));
    }

    @ParameterizedTest
    @ValueSource(ints = {STREAMING, PREVERIFIED})
    void anObjectThatGrewIsFound(int preverifyLimit) throws IOException {
        StoredObject written = writer.write(KEY, Codec.NONE, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);
        Files.write(file(), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);

        assertThatThrownBy(() -> new VerifyingReader(store, preverifyLimit).verify(written))
                .hasMessage("object " + KEY + " in " + store.describe() + ": more than the recorded " + input.length
                        + " bytes are stored (recorded stored SHA-256 " + written.storedSha256() + ")");
    }

    @ParameterizedTest
    @ValueSource(ints = {STREAMING, PREVERIFIED})
    void aDeletedObjectIsFound(int preverifyLimit) {
        StoredObject written = writer.write(KEY, ZSTD, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);
        store.delete(KEY);

        assertThatThrownBy(() -> new VerifyingReader(store, preverifyLimit).verify(written))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("object " + KEY + " does not exist in " + store.describe())
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
    }

    @Test
    void decodedBytesAreCheckedToo() {
        StoredObject written = writer.write(KEY, ZSTD, new ByteArrayInputStream(input), OverwritePolicy.FAIL_IF_EXISTS);
        StoredObject misrecorded = new StoredObject(KEY, ZSTD, written.logicalSize(), Sha256.hex(new byte[0]),
                written.storedSize(), written.storedSha256());

        assertThatThrownBy(() -> new VerifyingReader(store).verify(misrecorded))
                .hasMessage("object " + KEY + " in " + store.describe() + ": decoded SHA-256 " + written.logicalSha256()
                        + " does not match the recorded " + Sha256.hex(new byte[0]));
    }

    @Test
    void aFailingStoreIsAStorageFailureNotCorruption() {
        InMemoryStore memory = new InMemoryStore();
        StoredObject written = new StoredObjectWriter(memory).write(KEY, ZSTD, new ByteArrayInputStream(input),
                OverwritePolicy.FAIL_IF_EXISTS);
        ObjectStore failing = new FailingReads(memory);

        assertThatThrownBy(() -> new VerifyingReader(failing, STREAMING).verify(written))
                .isInstanceOf(CellarException.class)
                .hasMessage("cannot read object " + KEY + " in in-memory store memory: IOException: connection reset")
                .satisfies(e -> assertThat(((CellarException) e).code()).isEqualTo(ErrorCode.STORAGE_FAILED));
    }

    private String shaMismatch(StoredObject written) throws IOException {
        return "object " + KEY + " in " + store.describe() + ": stored SHA-256 " + Sha256.hex(Files.readAllBytes(file()))
                + " does not match the recorded " + written.storedSha256();
    }

    private String sizeMismatch(StoredObject written) throws IOException {
        return "object " + KEY + " in " + store.describe() + ": stored size " + (written.storedSize() - 1)
                + " bytes does not match the recorded " + written.storedSize() + " bytes (stored SHA-256 "
                + Sha256.hex(Files.readAllBytes(file())) + ", recorded " + written.storedSha256() + ")";
    }

    private static void isCorruptWithHint(Throwable e) {
        CellarException corrupt = (CellarException) e;
        assertThat(corrupt.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT);
        assertThat(corrupt.hint()).hasValueSatisfying(hint -> assertThat(hint).contains("another copy of the repository"));
    }

    private Path file() {
        return store.pathOf(KEY);
    }

    private void flipBit(long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file());
        bytes[(int) offset] ^= 0x10;
        Files.write(file(), bytes);
    }

    private void truncateByOne() throws IOException {
        byte[] bytes = Files.readAllBytes(file());
        Files.write(file(), Arrays.copyOf(bytes, bytes.length - 1));
    }

    /** Serves the first 1000 bytes of every object, then fails as a dropped connection would. */
    private static final class FailingReads extends ForwardingStore {
        FailingReads(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public InputStream get(ObjectKey key) {
            InputStream in = delegate.get(key);
            return new java.io.FilterInputStream(in) {
                private int served;

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    if (served >= 1000) {
                        throw new IOException("connection reset");
                    }
                    int n = super.read(buffer, offset, Math.min(length, 1000 - served));
                    served += Math.max(n, 0);
                    return n;
                }
            };
        }
    }
}
