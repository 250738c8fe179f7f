package dev.cellar.restore.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.io.Sha256;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.ClusterInfo;
import dev.cellar.storage.repository.Repository;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a restore_command gets for each kind of name, read and verified the same for wal-get and the API. */
class ArchivedWalTest {
    private static final WalSegmentSize ONE_MB = WalSegmentSize.of(1 << 20);

    @TempDir
    Path root;
    private Repository repository;
    private ArchivedWal wal;

    @BeforeEach
    void repository() {
        repository = new Repository(LocalStore.open(root));
        repository.registerCluster(ClusterInfo.of("c1", "42", 170011, ONE_MB, Instant.parse("2026-11-21T06:00:00Z")));
        wal = new ArchivedWal(repository);
    }

    @Test
    void aCompleteSegmentComesDecompressedWithItsChecksum() throws IOException {
        byte[] bytes = segment(7);
        put(3, false, bytes);

        try (ArchivedWalFile file = wal.open("c1", "000000010000000000000003").orElseThrow()) {
            assertThat(file.content().readAllBytes()).isEqualTo(bytes);
            assertThat(file.sha256()).isEqualTo(Sha256.hex(bytes));
            assertThat(file.fileName()).isEqualTo("000000010000000000000003");
        }
    }

    @Test
    void theLastPartialSegmentIsServedUnderTheSegmentsNameAndItsOwn() throws IOException {
        byte[] bytes = Arrays.copyOf("partial".getBytes(StandardCharsets.US_ASCII), 1 << 20);
        put(4, true, bytes);

        for (String name : new String[] {"000000010000000000000004", "000000010000000000000004.partial"}) {
            try (ArchivedWalFile file = wal.open("c1", name).orElseThrow()) {
                assertThat(file.content().readAllBytes()).isEqualTo(bytes);
            }
        }
    }

    @Test
    void aHistoryFileComesAsStored() throws IOException {
        TimelineHistory two = TimelineHistory.initial().branch(TimelineId.of(2), Lsn.parse("0/3000028"), "promoted");
        repository.putHistory("c1", two);

        try (ArchivedWalFile file = wal.open("c1", "00000002.history").orElseThrow()) {
            byte[] content = file.content().readAllBytes();
            assertThat(content).isEqualTo(two.format());
            assertThat(file.sha256()).isEqualTo(Sha256.hex(content));
        }
    }

    @Test
    void whatTheRepositoryLacksIsAbsentNotAnError() {
        assertThat(wal.open("c1", "0000000100000000000000FF")).isEmpty();
        assertThat(wal.open("c1", "00000009.history")).isEmpty();
        assertThat(wal.open("c1", "000000010000000000000003.00000028.backup")).isEmpty();
    }

    @Test
    void aMalformedNameOrUnknownClusterIsAnError() {
        assertThatThrownBy(() -> wal.open("c1", "../etc/passwd")).isInstanceOfSatisfying(CellarException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_VALUE));
        assertThatThrownBy(() -> wal.open("nope", "000000010000000000000003"))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
                    assertThat(e.getMessage()).isEqualTo("the repository has no cluster \"nope\"");
                });
    }

    @Test
    void aDamagedSegmentFailsWhenReadToItsEnd() throws IOException {
        put(5, false, segment(9));
        Path object;
        try (Stream<Path> files = Files.walk(root.resolve("clusters/c1/wal"))) {
            object = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] stored = Files.readAllBytes(object);
        stored[1000] ^= 0x10;
        Files.write(object, stored);

        try (ArchivedWalFile file = wal.open("c1", "000000010000000000000005").orElseThrow()) {
            assertThatThrownBy(() -> file.content().readAllBytes()).isInstanceOfSatisfying(CellarException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.OBJECT_CORRUPT));
        }
    }

    private void put(long segno, boolean partial, byte[] bytes) {
        repository.putWal("c1", new WalSegmentName(TimelineId.INITIAL, segno, ONE_MB), partial,
                new ByteArrayInputStream(bytes), bytes.length, Sha256.hex(bytes), Codec.parse("zstd:1"));
    }

    private static byte[] segment(int seed) {
        byte[] bytes = new byte[1 << 20];
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < bytes.length; i += 64) {
            bytes[i] = (byte) random.nextInt();
        }
        return bytes;
    }
}
