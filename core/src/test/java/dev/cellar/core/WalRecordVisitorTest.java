package dev.cellar.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every record starting in a segment is reported once, also when it ends in the next one. */
class WalRecordVisitorTest {
    private static final WalSegmentSize SIZE = WalSegmentSize.DEFAULT;
    private static final long SYSID = 42;
    private static final int MAGIC = WalPageMagic.magicForMajor(17);

    record Seen(Lsn start, int rmid, int info) {
    }

    @Test
    void aRecordCrossingIntoTheNextSegmentIsReportedByTheSegmentItStartsIn() {
        WalSegmentName first = WalSegmentName.containing(TimelineId.of(1), Lsn.parse("0/1000000"), SIZE);
        SyntheticSegment one = new SyntheticSegment(first, SYSID, MAGIC);
        while (one.position() < SIZE.bytes() - 12000) {
            one.record(4000, 8, 0x10);
        }
        int before = one.position();
        int length = SIZE.bytes() - before + 500;
        one.record(length, 10, 0x00);
        Lsn heapRecord = one.lastRecordLsn();
        SyntheticSegment two = new SyntheticSegment(first.next(), SYSID, MAGIC);
        two.continuedRecord(length - written(before, length));
        two.record(100, 8, 0x10);
        two.switchRecord();

        List<Seen> seen = new ArrayList<>();
        WalRecordVisitor visitor = (start, rmid, info) -> seen.add(new Seen(start, rmid, info));
        WalSegmentValidator.forSegment(first, SYSID).withRecordVisitor(visitor).validate(one.bytes());
        assertThat(seen.getLast()).isEqualTo(new Seen(heapRecord, 10, 0x00));
        int afterFirst = seen.size();
        WalSegmentValidator.forSegment(first.next(), SYSID).withRecordVisitor(visitor).validate(two.bytes());
        assertThat(seen.subList(afterFirst, seen.size())).extracting(Seen::rmid).containsExactly(8, 0);
        assertThat(seen).filteredOn(s -> s.start().equals(heapRecord)).hasSize(1);
    }

    /** Bytes of a record of {@code length} starting at {@code from} that fit before the segment's end. */
    private static int written(int from, int length) {
        int written = 0;
        int p = from;
        while (p < SIZE.bytes() && written < length) {
            if (p % 8192 == 0) {
                p += p == 0 ? 40 : 24;
            }
            int n = Math.min(8192 - p % 8192, length - written);
            written += n;
            p += n;
        }
        return written;
    }
}
