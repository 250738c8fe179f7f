package dev.cellar.core.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Reassembling records from synthetic WAL: page and segment boundaries, checks, and where WAL ends. */
class WalRecordReaderTest {

    private static final int PAGE = 8192;

    /** What a test wrote: start, end and main data of each record. */
    private record Written(Lsn start, Lsn end, byte[] mainData) {
    }

    private static Written append(SyntheticWal wal, int mainDataLength) {
        byte[] data = SyntheticRecord.filled(mainDataLength);
        data[0] = (byte) mainDataLength;
        Lsn start = wal.append(new SyntheticRecord(10, 0x10).xid(700).mainData(data));
        return new Written(start, wal.position(), data);
    }

    /** Appends fillers until the next record starts {@code beforePageEnd} bytes before a page ends. */
    private static void padToPageEndMinus(SyntheticWal wal, int beforePageEnd) {
        while (true) {
            long p = wal.position().value();
            long inPage = p % PAGE == 0 ? (p % SyntheticWal.SIZE.bytes() == 0 ? 40 : 24) : p % PAGE;
            long gap = PAGE - beforePageEnd - inPage;
            if (gap == 0) {
                return;
            }
            if (gap >= 32 && gap <= 280) {
                append(wal, (int) gap - 26); // takes exactly the gap once aligned
            } else if (gap > 280) {
                append(wal, 200);
            } else {
                append(wal, 300); // runs into the next page; try there
            }
        }
    }

    private static List<WalRecord> readAll(SyntheticWal wal, boolean lastIsPartial) {
        List<WalRecord> records = new ArrayList<>();
        WalRecordReader reader = WalRecordReader.builder().keepMainDataOf(h -> true).build(records::add);
        for (int i = 0; i < wal.segmentCount(); i++) {
            ByteBuffer bytes = ByteBuffer.wrap(wal.segment(i));
            if (lastIsPartial && i == wal.segmentCount() - 1) {
                reader.readPartialSegment(wal.segmentName(i), bytes);
            } else {
                reader.readSegment(wal.segmentName(i), bytes);
            }
        }
        return records;
    }

    private static byte[] mainData(WalRecord record) {
        ByteBuffer b = record.mainData().orElseThrow();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private static void assertRead(List<WalRecord> records, List<Written> written) {
        assertThat(records).hasSameSizeAs(written);
        for (int i = 0; i < written.size(); i++) {
            WalRecord r = records.get(i);
            assertThat(r.start()).as("start of record %d", i).isEqualTo(written.get(i).start());
            assertThat(r.end()).as("end of record %d", i).isEqualTo(written.get(i).end());
            assertThat(mainData(r)).as("main data of record %d", i).isEqualTo(written.get(i).mainData());
            assertThat(r.xid()).isEqualTo(700);
            assertThat(r.major()).isEqualTo(17);
        }
    }

    @Test
    void recordsOfEverySizeAcrossPagesAndASegmentBoundary() {
        SyntheticWal wal = new SyntheticWal(17);
        List<Written> written = new ArrayList<>();
        int[] lengths = {1, 200, 3 * PAGE + 77, 256, 40_000, 7, PAGE - 50};
        long segmentEnd = 4L * SyntheticWal.SIZE.bytes();
        for (int i = 0; wal.position().value() < segmentEnd + 3 * PAGE; i++) {
            written.add(append(wal, lengths[i % lengths.length]));
        }
        assertThat(wal.segmentCount()).isEqualTo(2);
        assertThat(written).anyMatch(w -> w.start().value() < segmentEnd && w.end().value() > segmentEnd);
        assertRead(readAll(wal, true), written);
    }

    @Test
    void aRecordHeaderSplitByAPageBoundary() {
        SyntheticWal wal = new SyntheticWal(17);
        List<Written> written = new ArrayList<>();
        for (int cut : new int[] {8, 16}) {
            padToPageEndMinus(wal, cut);
            Written w = append(wal, 100);
            assertThat(w.start().value() % PAGE).isEqualTo(PAGE - cut);
            written.add(w);
        }
        List<WalRecord> records = readAll(wal, true);
        for (Written w : written) {
            assertThat(records).filteredOn(r -> r.start().equals(w.start())).singleElement()
                    .satisfies(r -> assertThat(mainData(r)).isEqualTo(w.mainData()));
        }
    }

    @Test
    void aRecordOverThreeSegmentsIsReassembledAndItsMainDataKept() {
        SyntheticWal wal = new SyntheticWal(17);
        append(wal, 10);
        Written big = append(wal, 2_500_000);
        Written after = append(wal, 10);
        assertThat(wal.segmentCount()).isEqualTo(3);
        List<WalRecord> records = readAll(wal, true);
        assertThat(records).hasSize(3);
        assertThat(records.get(1).start()).isEqualTo(big.start());
        assertThat(records.get(1).end()).isEqualTo(big.end());
        assertThat(records.get(1).layout().mainDataLength()).isEqualTo(2_500_000);
        assertThat(mainData(records.get(1))).isEqualTo(big.mainData());
        assertThat(records.get(2).start()).isEqualTo(after.start());
    }

    @Test
    void mainDataIsKeptOnlyForWhatTheFilterAccepts() {
        SyntheticWal wal = new SyntheticWal(16);
        wal.append(new SyntheticRecord(1, 0x00).mainData(new byte[] {1, 2, 3}));
        wal.append(new SyntheticRecord(10, 0x00).mainData(new byte[] {4, 5}));
        List<WalRecord> records = new ArrayList<>();
        WalRecordReader reader = WalRecordReader.builder().keepMainDataOf(h -> h.resourceManager() == 1).build(records::add);
        reader.readPartialSegment(wal.segmentName(0), ByteBuffer.wrap(wal.segment(0)));
        assertThat(records).hasSize(2);
        assertThat(mainData(records.get(0))).containsExactly(1, 2, 3);
        assertThat(records.get(1).mainData()).isEmpty();
        assertThat(records.get(1).layout().mainDataLength()).isEqualTo(2);
    }

    @Test
    void aStreamGivesTheSameRecordsAsABuffer() throws IOException {
        SyntheticWal wal = new SyntheticWal(18);
        for (int i = 0; wal.position().value() < 4L * SyntheticWal.SIZE.bytes() + 4 * PAGE; i++) {
            append(wal, 1 + i * 997 % 30_000);
        }
        List<WalRecord> fromBuffers = readAll(wal, true);
        List<WalRecord> fromStreams = new ArrayList<>();
        WalRecordReader reader = WalRecordReader.builder().keepMainDataOf(h -> true).build(fromStreams::add);
        reader.readSegment(wal.segmentName(0), new ByteArrayInputStream(wal.segment(0)));
        // A partial segment as pg_receivewal leaves it, or cut short after the written WAL.
        byte[] last = wal.segment(1);
        reader.readPartialSegment(wal.segmentName(1), new ByteArrayInputStream(
                Arrays.copyOf(last, (int) (wal.position().value() % SyntheticWal.SIZE.bytes()) + 100)));
        assertThat(fromStreams).hasSameSizeAs(fromBuffers);
        for (int i = 0; i < fromBuffers.size(); i++) {
            assertThat(fromStreams.get(i).start()).isEqualTo(fromBuffers.get(i).start());
            assertThat(mainData(fromStreams.get(i))).isEqualTo(mainData(fromBuffers.get(i)));
        }
        assertThat(reader.endOfRecords()).contains(fromBuffers.get(fromBuffers.size() - 1).end());
    }

    @Nested
    class WhereTheWalEnds {
        @Test
        void afterXlogSwitchTheSegmentIsZeroAndTheNextStartsAfresh() {
            SyntheticWal wal = new SyntheticWal(15);
            append(wal, 50);
            Lsn switchRecord = wal.switchSegment();
            Written next = append(wal, 50);
            List<WalRecord> records = readAll(wal, true);
            assertThat(records).extracting(WalRecord::start).containsExactly(
                    records.get(0).start(), switchRecord, next.start());
            assertThat(next.start()).isEqualTo(wal.segmentName(1).startLsn().plus(40));
        }

        @Test
        void bytesAfterXlogSwitchAreRefused() {
            SyntheticWal wal = new SyntheticWal(15);
            Lsn switchRecord = wal.switchSegment();
            append(wal, 50);
            byte[] first = wal.segment(0);
            first[3 * PAGE + 5] = 1;
            WalRecordReader reader = WalRecordReader.builder().build(r -> { });
            assertThatThrownBy(() -> reader.readSegment(wal.segmentName(0), ByteBuffer.wrap(first)))
                    .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID))
                    .hasMessage("WAL segment 000000010000000000000003, page at offset 24576 (LSN 0/306000): the page is not "
                            + "zero-filled, but the XLOG_SWITCH record at %s ended the segment's WAL".formatted(switchRecord));
        }

        @Test
        void aPartialSegmentEndsAtItsZerosAndNothingMayFollowIt() {
            SyntheticWal wal = new SyntheticWal(17);
            append(wal, 10);
            Written cut = append(wal, 3 * PAGE);
            byte[] partial = wal.segment(0);
            Arrays.fill(partial, 2 * PAGE, partial.length, (byte) 0);
            List<WalRecord> records = new ArrayList<>();
            WalRecordReader reader = WalRecordReader.builder().build(records::add);
            reader.readPartialSegment(wal.segmentName(0), ByteBuffer.wrap(partial));
            assertThat(records).hasSize(1);
            assertThat(reader.endOfRecords()).contains(records.get(0).end());
            assertThat(reader.unfinishedRecordStart()).contains(cut.start());
            assertThatThrownBy(() -> reader.readSegment(wal.segmentName(1), ByteBuffer.wrap(wal.segment(0))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the partial segment 000000010000000000000003.partial ended the WAL; nothing can follow it");
        }

        @Test
        void aCompleteSegmentMayNotStopEarly() {
            SyntheticWal wal = new SyntheticWal(17);
            Written only = append(wal, 10);
            WalRecordReader reader = WalRecordReader.builder().build(r -> { });
            assertThatThrownBy(() -> reader.readSegment(wal.segmentName(0), ByteBuffer.wrap(wal.segment(0))))
                    .isInstanceOf(CellarException.class)
                    .hasMessage(("WAL segment 000000010000000000000003, page at offset 0 (LSN 0/300000): record at %s: xl_tot_len 0, "
                            + "but the WAL of a complete segment runs to its end unless an XLOG_SWITCH record ends it")
                            .formatted(only.end()));
        }

        @Test
        void readingThatStartsInsideARecordSkipsIt() {
            SyntheticWal wal = new SyntheticWal(17);
            wal.fillSegmentAndCrossInto(5000);
            Written next = append(wal, 30);
            List<WalRecord> records = new ArrayList<>();
            WalRecordReader reader = WalRecordReader.builder().build(records::add);
            reader.readPartialSegment(wal.segmentName(1), ByteBuffer.wrap(wal.segment(1)));
            assertThat(records).extracting(WalRecord::start).containsExactly(next.start());
        }

        @Test
        void aRecordTheServerAbandonedIsSkipped() {
            SyntheticWal wal = new SyntheticWal(16);
            Written before = append(wal, 10);
            wal.appendAbandoned(new SyntheticRecord(10, 0).mainData(new byte[3 * PAGE]));
            Written after = append(wal, 10);
            List<WalRecord> records = readAll(wal, true);
            assertThat(records).extracting(WalRecord::start).containsExactly(before.start(), after.start());
        }
    }

    @Nested
    class Damage {
        @Test
        void aChangedByteFailsTheRecordsCrc() {
            SyntheticWal wal = new SyntheticWal(17);
            append(wal, 10);
            Written damaged = append(wal, 2 * PAGE);
            byte[] bytes = wal.segment(0);
            bytes[(int) (damaged.start().value() % SyntheticWal.SIZE.bytes()) + PAGE] ^= 0x40;
            WalRecordReader reader = WalRecordReader.builder().build(r -> { });
            assertThatThrownBy(() -> reader.readPartialSegment(wal.segmentName(0), ByteBuffer.wrap(bytes)))
                    .isInstanceOfSatisfying(CellarException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID);
                        assertThat(e.hint()).contains("the WAL cannot be read past 0/304000: use an intact copy of "
                                + "000000010000000000000003.partial, or a recovery target before 0/304000");
                    })
                    .hasMessageStartingWith("WAL segment 000000010000000000000003.partial, page at offset 16384 (LSN 0/304000): "
                            + "record at %s: xl_crc 0x".formatted(damaged.start()))
                    .hasMessageContaining(", but the record's bytes give 0x");
        }

        @Test
        void aBrokenLinkToThePreviousRecord() {
            SyntheticWal wal = new SyntheticWal(17);
            Written first = append(wal, 10);
            Written second = append(wal, 10);
            byte[] bytes = wal.segment(0);
            int at = (int) (second.start().value() % SyntheticWal.SIZE.bytes());
            bytes[at + 8] ^= 0x08; // xl_prev (the CRC then fails too, but the link is checked first)
            WalRecordReader reader = WalRecordReader.builder().build(r -> { });
            assertThatThrownBy(() -> reader.readPartialSegment(wal.segmentName(0), ByteBuffer.wrap(bytes)))
                    .isInstanceOf(CellarException.class)
                    .hasMessage("WAL segment 000000010000000000000003.partial, page at offset 0 (LSN 0/300000): record at %s: "
                            .formatted(second.start()) + "xl_prev %s, expected %s, the start of the record before it"
                            .formatted(Lsn.of(first.start().value() ^ 0x08), first.start()));
        }

        @Test
        void aMissingSegmentIsAGap() {
            SyntheticWal wal = new SyntheticWal(17);
            wal.fillSegmentAndCrossInto(3000);
            append(wal, 10);
            WalRecordReader reader = WalRecordReader.builder().build(r -> { });
            reader.readSegment(wal.segmentName(0), ByteBuffer.wrap(wal.segment(0)));
            assertThatThrownBy(() -> reader.readPartialSegment(wal.segmentName(1).next(), ByteBuffer.wrap(wal.segment(1))))
                    .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_GAP))
                    .hasMessage("WAL segment 000000010000000000000005.partial cannot follow 000000010000000000000003: "
                            + "segments are read in order, one after the other");
        }

        @Test
        void aSegmentOfAnotherCluster() {
            SyntheticWal wal = new SyntheticWal(17);
            append(wal, 10);
            WalRecordReader reader = WalRecordReader.builder().systemIdentifier(42).build(r -> { });
            assertThatThrownBy(() -> reader.readPartialSegment(wal.segmentName(0), ByteBuffer.wrap(wal.segment(0))))
                    .isInstanceOf(CellarException.class)
                    .hasMessage("WAL segment 000000010000000000000003.partial, page at offset 0 (LSN 0/300000): "
                            + "xlp_sysid 7300000000000000001, expected 42: the segment is from another cluster");
        }

        @Test
        void aSegmentOfTheWrongSize() {
            SyntheticWal wal = new SyntheticWal(17);
            append(wal, 4 * PAGE);
            WalRecordReader reader = WalRecordReader.builder().build(r -> { });
            assertThatThrownBy(() -> reader.readSegment(wal.segmentName(0), ByteBuffer.wrap(wal.segment(0), 0, 5000)))
                    .isInstanceOf(CellarException.class)
                    .hasMessage("WAL segment 000000010000000000000003: 5000 bytes, expected 1048576");
            WalRecordReader streaming = WalRecordReader.builder().build(r -> { });
            assertThatThrownBy(() -> streaming.readSegment(wal.segmentName(0),
                    new ByteArrayInputStream(Arrays.copyOf(wal.segment(0), 3 * PAGE))))
                    .isInstanceOf(CellarException.class)
                    .hasMessage("WAL segment 000000010000000000000003: ends after 24576 bytes, expected 1048576");
        }
    }
}
