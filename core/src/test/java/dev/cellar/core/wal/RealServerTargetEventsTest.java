package dev.cellar.core.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineId;
import dev.cellar.core.wal.WalTargetEvent.RestorePoint;
import dev.cellar.core.wal.WalTargetEvent.TransactionEnd;
import dev.cellar.core.wal.WalTargetEvent.TransactionEnd.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The events recovery targets refer to, found in WAL that real PostgreSQL 15–18 servers wrote, against
 * what each server reported while writing it ({@code targets/pgNN/expected.properties}: xids from
 * {@code pg_current_xact_id()}, commit times from {@code pg_xact_commit_timestamp()}, LSNs from
 * {@code pg_current_wal_insert_lsn()} before and after, the restore point's end from
 * {@code pg_create_restore_point()}).
 */
class RealServerTargetEventsTest {

    static List<WalTargetEvent> scan(TargetFixture fixture) {
        List<WalTargetEvent> events = new ArrayList<>();
        WalRecordReader reader = WalTargetEvents.reader(events::add);
        for (int i = 0; i < fixture.segments().size(); i++) {
            reader.readSegment(fixture.segments().get(i), ByteBuffer.wrap(fixture.bytes(i)));
        }
        assertThat(reader.major()).hasValue(fixture.major());
        assertThat(reader.unfinishedRecordStart()).isEmpty();
        assertThat(reader.endOfRecords()).contains(fixture.lsn("end"));
        return events;
    }

    private static TransactionEnd transaction(List<WalTargetEvent> events, long xid) {
        List<TransactionEnd> found = events.stream().filter(TransactionEnd.class::isInstance).map(TransactionEnd.class::cast)
                .filter(e -> e.xid() == xid).toList();
        assertThat(found).as("transaction ends of xid %d", xid).hasSize(1);
        return found.get(0);
    }

    /** The record lies between the insert positions read before and after the statement that wrote it. */
    private static void assertBetween(WalTargetEvent event, TargetFixture fixture, String prefix) {
        assertThat(event.start()).isGreaterThanOrEqualTo(fixture.lsn(prefix + ".before"));
        assertThat(event.end()).isLessThanOrEqualTo(fixture.lsn(prefix + ".after"));
        assertThat(event.timeline()).isEqualTo(TimelineId.INITIAL);
    }

    private static void assertTimeBetween(WalTargetEvent event, TargetFixture fixture, String prefix) {
        assertThat(event.time()).isBetween(fixture.instant(prefix + ".not_before_us"), fixture.instant(prefix + ".not_after_us"));
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void aCommitWithSubtransactionsHasTheRecordsXidAndTheCommitTimestamp(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        TransactionEnd commit = transaction(scan(fixture), fixture.number("commit.xid"));
        assertThat(commit.kind()).isEqualTo(Kind.COMMIT);
        assertThat(commit.committed()).isTrue();
        assertThat(commit.prepared()).isFalse();
        assertThat(commit.time()).isEqualTo(fixture.instant("commit.time_us"));
        assertBetween(commit, fixture, "commit");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void anAbort(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        TransactionEnd abort = transaction(scan(fixture), fixture.number("abort.xid"));
        assertThat(abort.kind()).isEqualTo(Kind.ABORT);
        assertThat(abort.committed()).isFalse();
        assertTimeBetween(abort, fixture, "abort");
        assertBetween(abort, fixture, "abort");
    }

    /** Relations, dropped statistics (12 bytes each before 18, 16 in 18) and invalidations come before the xid. */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void commitPreparedIsKnownByThePreparedTransactionsXid(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        TransactionEnd commit = transaction(scan(fixture), fixture.number("commit_prepared.xid"));
        assertThat(commit.kind()).isEqualTo(Kind.COMMIT_PREPARED);
        assertThat(commit.committed()).isTrue();
        assertThat(commit.prepared()).isTrue();
        assertThat(commit.time()).isEqualTo(fixture.instant("commit_prepared.time_us"));
        assertBetween(commit, fixture, "commit_prepared");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void rollbackPrepared(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        TransactionEnd abort = transaction(scan(fixture), fixture.number("abort_prepared.xid"));
        assertThat(abort.kind()).isEqualTo(Kind.ABORT_PREPARED);
        assertThat(abort.committed()).isFalse();
        assertThat(abort.prepared()).isTrue();
        assertTimeBetween(abort, fixture, "abort_prepared");
        assertBetween(abort, fixture, "abort_prepared");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void commitsThatDropATableOrComeFromAReplicationOrigin(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        List<WalTargetEvent> events = scan(fixture);
        TransactionEnd drop = transaction(events, fixture.number("commit_drop.xid"));
        assertThat(drop.kind()).isEqualTo(Kind.COMMIT);
        assertThat(drop.time()).isEqualTo(fixture.instant("commit_drop.time_us"));
        assertBetween(drop, fixture, "commit_drop");
        // Its commit timestamp is the origin's (2001), the record keeps the local time.
        TransactionEnd origin = transaction(events, fixture.number("origin_commit.xid"));
        assertThat(origin.kind()).isEqualTo(Kind.COMMIT);
        assertTimeBetween(origin, fixture, "origin_commit");
        assertBetween(origin, fixture, "origin_commit");
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void theRestorePointEndsWherePgCreateRestorePointSaid(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        List<WalTargetEvent> events = scan(fixture);
        List<RestorePoint> points = events.stream().filter(RestorePoint.class::isInstance).map(RestorePoint.class::cast).toList();
        assertThat(points).hasSize(1);
        RestorePoint point = points.get(0);
        assertThat(point.name()).isEqualTo("before_upgrade");
        assertThat(point.end()).isEqualTo(fixture.lsn("restore_point.end"));
        assertThat(point.start()).isGreaterThanOrEqualTo(fixture.lsn("restore_point.before"));
        assertThat(point.time()).isAfter(fixture.instant("commit_drop.time_us"))
                .isBefore(fixture.instant("origin_commit.not_before_us"));
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void theNewestCommitIsTheLastOne(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        List<WalTargetEvent> events = scan(fixture);
        TransactionEnd newest = events.stream().filter(TransactionEnd.class::isInstance).map(TransactionEnd.class::cast)
                .filter(TransactionEnd::committed).max(Comparator.comparing(TransactionEnd::time)).orElseThrow();
        assertThat(newest.xid()).isEqualTo(fixture.number("last_commit.xid"));
        assertThat(newest.time()).isEqualTo(fixture.instant("last_commit.time_us"));
        // Events come in WAL order.
        assertThat(events).extracting(WalTargetEvent::start).isSorted();
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void streamingTheCompressedFilesFindsTheSameEvents(int major) throws IOException {
        TargetFixture fixture = TargetFixture.load(major);
        List<WalTargetEvent> events = new ArrayList<>();
        WalRecordReader reader = WalTargetEvents.reader(events::add);
        for (int i = 0; i < fixture.segments().size(); i++) {
            try (InputStream in = fixture.stream(i)) {
                reader.readSegment(fixture.segments().get(i), in);
            }
        }
        assertThat(events).isEqualTo(scan(fixture));
    }

    /** The second segment lies entirely inside one 2.4 MB record: reading from there skips it. */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void readingFromTheMiddleOfARecordStartsAfterIt(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        List<WalTargetEvent> events = new ArrayList<>();
        WalRecordReader reader = WalTargetEvents.reader(events::add);
        reader.readSegment(fixture.segments().get(1), ByteBuffer.wrap(fixture.bytes(1)));
        assertThat(events).isEmpty();
        assertThat(reader.endOfRecords()).isEmpty();
        reader.readSegment(fixture.segments().get(2), ByteBuffer.wrap(fixture.bytes(2)));
        List<WalTargetEvent> all = scan(fixture);
        assertThat(events).isEqualTo(all.stream().filter(e -> e.start().isAfter(fixture.lsn("message.before"))).toList());
        assertThat(events.get(0)).isInstanceOf(RestorePoint.class);
    }

    /** As if a receiver had streamed up to a page in the middle of the last segment and padded with zeros. */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 16, 17, 18})
    void aPartialLastSegmentGivesTheEventsUpToWhereItsWalEnds(int major) {
        TargetFixture fixture = TargetFixture.load(major);
        List<WalTargetEvent> all = scan(fixture);
        Lsn lastSegmentStart = fixture.segments().get(2).startLsn();
        Lsn cut = fixture.lsn("origin_commit.after").plus(8192 - 1);
        cut = Lsn.of(cut.value() & -8192L);
        byte[] partial = fixture.bytes(2);
        Arrays.fill(partial, (int) cut.minus(lastSegmentStart), partial.length, (byte) 0);

        List<WalTargetEvent> events = new ArrayList<>();
        WalRecordReader reader = WalTargetEvents.reader(events::add);
        reader.readSegment(fixture.segments().get(0), ByteBuffer.wrap(fixture.bytes(0)));
        reader.readSegment(fixture.segments().get(1), ByteBuffer.wrap(fixture.bytes(1)));
        reader.readPartialSegment(fixture.segments().get(2), ByteBuffer.wrap(partial));
        Lsn end = cut;
        assertThat(events).isEqualTo(all.stream().filter(e -> !e.end().isAfter(end)).toList());
        assertThat(events).hasSizeLessThan(all.size()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(
                TransactionEnd.class, t -> assertThat(t.xid()).isEqualTo(fixture.number("origin_commit.xid"))));
        assertThat(reader.endOfRecords().orElseThrow()).isLessThanOrEqualTo(cut);
    }

    @Test
    void aDamagedByteInsideTheLongRecordFailsItsCrcWhereTheRecordEnds() {
        TargetFixture fixture = TargetFixture.load(17);
        byte[] middle = fixture.bytes(1);
        middle[500_000] ^= 0x01;
        WalRecordReader reader = WalTargetEvents.reader(e -> { });
        reader.readSegment(fixture.segments().get(0), ByteBuffer.wrap(fixture.bytes(0)));
        reader.readSegment(fixture.segments().get(1), ByteBuffer.wrap(middle));
        Lsn messageEnd = fixture.lsn("message.end");
        Lsn lastPage = Lsn.of((messageEnd.value() - 1) & -8192L);
        long offset = lastPage.minus(fixture.segments().get(2).startLsn());
        assertThatThrownBy(() -> reader.readSegment(fixture.segments().get(2), ByteBuffer.wrap(fixture.bytes(2))))
                .isInstanceOfSatisfying(CellarException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID))
                .hasMessageStartingWith("WAL segment %s, page at offset %d (LSN %s): record at %s: xl_crc 0x"
                        .formatted(fixture.segments().get(2).fileName(), offset, lastPage, fixture.lsn("message.before")));
    }

    @Test
    void postgresTimestampsCountMicrosecondsFrom2000() {
        assertThat(WalTargetEvents.instant(0)).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(WalTargetEvents.instant(-1)).isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
        assertThat(WalTargetEvents.instant(848_484_192_123_456L)).isEqualTo(Instant.parse("2026-11-20T10:03:12.123456Z"));
    }
}
