package dev.cellar.walreceiver.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool writer on real WAL of PostgreSQL 15 (1 MiB segments, from core's fixtures): a primary's
 * timeline 1 ending inside segment 0B when a standby was promoted, and timeline 2 going on.
 */
class WalSegmentWriterTest {
    private static final WalSegmentSize ONE_MB = WalSegmentSize.of(1 << 20);
    private static final long SYSID_15 = 7710510031342366592L;
    private static final TimelineId TL1 = TimelineId.of(1);
    private static final TimelineId TL2 = TimelineId.of(2);

    @TempDir
    Path spool;

    final List<Published> published = new ArrayList<>();

    record Published(WalSegmentName segment, boolean partial, byte[] bytes, String sha256) {
    }

    SegmentPublisher collector() {
        return (segment, partial, content, length, sha256) -> {
            try {
                byte[] bytes = content.readAllBytes();
                assertThat(bytes).hasSize((int) length);
                published.add(new Published(segment, partial, bytes, sha256));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    WalSegmentWriter open() {
        return WalSegmentWriter.open(spool, "c15", SYSID_15, OptionalInt.of(15), ONE_MB, collector());
    }

    @Test
    void aSegmentWrittenInPiecesIsValidatedHashedPublishedAndRemovedFromTheSpool() throws IOException {
        byte[] segment = fixture("pg15/000000010000000000000007.gz");
        try (WalSegmentWriter writer = open()) {
            writer.begin(TL1, Lsn.parse("0/700000"));
            writeInRandomPieces(writer, Lsn.parse("0/700000"), segment, 7);

            assertThat(published).singleElement().satisfies(p -> {
                assertThat(p.segment().fileName()).isEqualTo("000000010000000000000007");
                assertThat(p.partial()).isFalse();
                assertThat(p.bytes()).isEqualTo(segment);
                assertThat(p.sha256()).isEqualTo(Sha256.hex(segment));
            });
            assertThat(writer.received()).isEqualTo(Lsn.parse("0/800000"));
            assertThat(writer.durable()).isEqualTo(Lsn.parse("0/800000"));
        }
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void onlySyncMakesBytesDurable() {
        byte[] segment = fixture("pg15/000000010000000000000007.gz");
        try (WalSegmentWriter writer = open()) {
            writer.begin(TL1, Lsn.parse("0/700000"));
            writer.write(Lsn.parse("0/700000"), ByteBuffer.wrap(segment, 0, 20000));

            assertThat(writer.received()).isEqualTo(Lsn.parse("0/704E20"));
            assertThat(writer.durable()).isEqualTo(Lsn.parse("0/700000"));
            assertThat(writer.unsyncedBytes()).isEqualTo(20000);
            assertThat(writer.sync()).isEqualTo(Lsn.parse("0/704E20"));
            assertThat(writer.durable()).isEqualTo(Lsn.parse("0/704E20"));
            assertThat(writer.unsyncedBytes()).isZero();
        }
    }

    @Test
    void aTimelineEndPublishesTheValidPrefixAndTheNextTimelineStartsTheSameSegmentAgain() {
        byte[] oldTimeline = Arrays.copyOf(fixture("pg15/00000001000000000000000B.partial.gz"), 0xA0);
        byte[] newTimeline = fixture("pg15/00000002000000000000000B.gz");
        byte[] next = fixture("pg15/00000002000000000000000C.partial.gz");
        try (WalSegmentWriter writer = open()) {
            writer.begin(TL1, Lsn.parse("0/B00000"));
            writer.write(Lsn.parse("0/B00000"), ByteBuffer.wrap(oldTimeline));
            writer.endTimeline();

            writer.begin(TL2, Lsn.parse("0/B00000"));
            // One message crossing the segment boundary: the end of 0B and the start of 0C.
            ByteBuffer crossing = ByteBuffer.allocate(newTimeline.length + 4 * 8192);
            crossing.put(newTimeline).put(next, 0, 4 * 8192).flip();
            writer.write(Lsn.parse("0/B00000"), crossing);
            writer.sync();
        }
        assertThat(published).extracting(p -> p.segment().fileName() + (p.partial() ? ".partial" : ""))
                .containsExactly("00000001000000000000000B.partial", "00000002000000000000000B");
        assertThat(published.get(0).bytes()).isEqualTo(oldTimeline);
        assertThat(published.get(1).bytes()).isEqualTo(newTimeline);
        assertThat(spoolFiles()).containsExactly("00000002000000000000000C.receiving");
    }

    @Test
    void afterACrashStreamingResumesAtTheStartOfTheSegmentBeingReceived() {
        byte[] segment = fixture("pg15/00000002000000000000000B.gz");
        WalSegmentWriter crashed = open();
        crashed.begin(TL2, Lsn.parse("0/B00000"));
        crashed.write(Lsn.parse("0/B00000"), ByteBuffer.wrap(segment, 0, 300_000));
        crashed.sync();
        // No close(): the process died here.

        try (WalSegmentWriter writer = open()) {
            assertThat(writer.resumeSegment()).contains(WalSegmentName.parse("00000002000000000000000B", ONE_MB));
            writer.begin(TL2, Lsn.parse("0/B00000"));
            writer.write(Lsn.parse("0/B00000"), ByteBuffer.wrap(segment));
        }
        assertThat(published).singleElement().satisfies(p -> assertThat(p.bytes()).isEqualTo(segment));
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void theFsyncedPrefixOfASegmentThatWillNotBeResumedIsKeptAsItsPartialCopy() {
        byte[] segment = fixture("pg15/00000002000000000000000B.gz");
        WalSegmentWriter crashed = open();
        crashed.begin(TL2, Lsn.parse("0/B00000"));
        crashed.write(Lsn.parse("0/B00000"), ByteBuffer.wrap(segment, 0, 300_000));
        crashed.sync();
        // The process died; when it comes back the server streams elsewhere (a later timeline or
        // past a gap), so segment 0B will not be received again.

        try (WalSegmentWriter writer = open()) {
            writer.begin(TL2, Lsn.parse("0/C00000"));
        }
        // Whole pages that were written, up to the first zero page (this segment ends with a WAL switch).
        int kept = 0;
        while (kept + 8192 <= 300_000 && !isZero(segment, kept, 8192)) {
            kept += 8192;
        }
        int wholePages = kept;
        assertThat(wholePages).isPositive();
        assertThat(published).singleElement().satisfies(p -> {
            assertThat(p.segment().fileName()).isEqualTo("00000002000000000000000B");
            assertThat(p.partial()).isTrue();
            assertThat(p.bytes()).isEqualTo(Arrays.copyOf(segment, wholePages));
        });
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void aFinishedSegmentLeftUnpublishedByACrashIsPublishedAtOpen() throws IOException {
        byte[] segment = fixture("pg15/000000010000000000000007.gz");
        Files.write(spool.resolve("000000010000000000000007.complete"), segment);
        Files.write(spool.resolve("00000001000000000000000B.timeline-end"),
                Arrays.copyOf(fixture("pg15/00000001000000000000000B.partial.gz"), 0xA0));

        try (WalSegmentWriter writer = open()) {
            assertThat(writer.resumeSegment()).isEmpty();
        }
        assertThat(published).extracting(p -> p.segment().fileName() + " " + p.partial() + " " + p.bytes().length)
                .containsExactly("000000010000000000000007 false 1048576", "00000001000000000000000B true 160");
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    void aDamagedSegmentIsNotPublishedAndStaysInTheSpoolForInspection() {
        byte[] segment = fixture("pg15/000000010000000000000007.gz");
        segment[5000] ^= 0x01;
        try (WalSegmentWriter writer = open()) {
            writer.begin(TL1, Lsn.parse("0/700000"));
            assertThatThrownBy(() -> writer.write(Lsn.parse("0/700000"), ByteBuffer.wrap(segment)))
                    .isInstanceOfSatisfying(CellarException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID);
                        assertThat(e.getMessage()).startsWith("cluster c15: WAL segment 000000010000000000000007");
                        assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains(".complete"));
                    });
        }
        assertThat(published).isEmpty();
        assertThat(spoolFiles()).containsExactly("000000010000000000000007.complete");
        assertThatThrownBy(this::open).isInstanceOfSatisfying(CellarException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID));
    }

    @Test
    void aSegmentOfAnotherClusterIsRefused() {
        byte[] segment = fixture("pg15/000000010000000000000007.gz");
        try (WalSegmentWriter writer = WalSegmentWriter.open(spool, "c15", 42L, OptionalInt.of(15), ONE_MB,
                collector())) {
            writer.begin(TL1, Lsn.parse("0/700000"));
            assertThatThrownBy(() -> writer.write(Lsn.parse("0/700000"), ByteBuffer.wrap(segment)))
                    .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.getMessage())
                            .isEqualTo("cluster c15: WAL segment 000000010000000000000007, page at offset 0"
                                    + " (LSN 0/700000): xlp_sysid 7710510031342366592, expected 42: the segment is from"
                                    + " another cluster"));
        }
    }

    @Test
    void bytesOutOfOrderAreAProtocolError() {
        try (WalSegmentWriter writer = open()) {
            writer.begin(TL1, Lsn.parse("0/700000"));
            writer.write(Lsn.parse("0/700000"), ByteBuffer.wrap(new byte[100]));
            assertThatThrownBy(() -> writer.write(Lsn.parse("0/700200"), ByteBuffer.wrap(new byte[100])))
                    .isInstanceOfSatisfying(CellarException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
                        assertThat(e.getMessage()).isEqualTo("cluster c15: the server sent WAL from 0/700200 but the"
                                + " stream is at 0/700064");
                    });
            assertThatThrownBy(() -> writer.begin(TL1, Lsn.parse("0/700000"))).isInstanceOf(IllegalStateException.class);
        }
    }

    private static void writeInRandomPieces(WalSegmentWriter writer, Lsn start, byte[] bytes, long seed) {
        Random random = new Random(seed);
        int at = 0;
        while (at < bytes.length) {
            int n = Math.min(bytes.length - at, 1 + random.nextInt(3 * 8192));
            writer.write(start.plus(at), ByteBuffer.wrap(bytes, at, n));
            at += n;
            if (random.nextInt(4) == 0) {
                writer.sync();
            }
        }
    }

    private static boolean isZero(byte[] bytes, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private List<String> spoolFiles() {
        try (Stream<Path> files = Files.list(spool)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] fixture(String name) {
        try (InputStream in = WalSegmentWriterTest.class.getResourceAsStream("/dev/cellar/core/wal/" + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture " + name + " missing from core's test jar");
            }
            try (GZIPInputStream gz = new GZIPInputStream(in)) {
                return gz.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
