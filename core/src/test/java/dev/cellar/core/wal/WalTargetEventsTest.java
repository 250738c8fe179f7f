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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Decoding commit, abort and restore-point main data as xactdesc.c and xlog_internal.h define it. */
class WalTargetEventsTest {

    private static final long TIME = 848_484_192_123_456L; // 2026-11-20 10:03:12.123456 UTC
    private static final Instant INSTANT = Instant.parse("2026-11-20T10:03:12.123456Z");
    private static final Lsn START = Lsn.parse("0/5A0001C8");
    private static final TimelineId TIMELINE = TimelineId.of(2);

    private static final int HAS_INFO = 0x80;
    private static final int DBINFO = 1;
    private static final int SUBXACTS = 2;
    private static final int RELFILELOCATORS = 4;
    private static final int INVALS = 8;
    private static final int TWOPHASE = 16;
    private static final int ORIGIN = 32;
    private static final int GID = 128;
    private static final int DROPPED_STATS = 256;

    private static WalRecord record(int rmid, int info, long xid, int major, byte[] mainData) {
        long total = WalRecordHeader.SIZE + 5 + mainData.length;
        return new WalRecord(TIMELINE, major, START, START.plus((total + 7) & -8L),
                new WalRecordHeader(total, xid, Lsn.parse("0/5A000100"), info, rmid, 0),
                new WalRecordLayout(total, WalRecordHeader.SIZE + 5, List.of(), OptionalInt.empty(), OptionalLong.empty(), mainData.length),
                Optional.of(ByteBuffer.wrap(mainData).asReadOnlyBuffer()));
    }

    private static ByteBuffer body() {
        return ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] bytes = new byte[b.position()];
        b.flip().get(bytes);
        return bytes;
    }

    private static TransactionEnd decodeTransaction(WalRecord record) {
        return (TransactionEnd) WalTargetEvents.decode(record).orElseThrow();
    }

    @Test
    void aPlainCommitWithoutXinfoIsTheHeadersXid() {
        ByteBuffer b = body().putLong(TIME);
        TransactionEnd commit = decodeTransaction(record(1, 0x00, 1234, 17, bytes(b)));
        assertThat(commit).isEqualTo(new TransactionEnd(TIMELINE, START, Lsn.parse("0/5A0001F0"), 1234, INSTANT, Kind.COMMIT));
    }

    /** Every optional part before the two-phase xid, with the size of xl_xact_stats_item of each major. */
    @ParameterizedTest(name = "PostgreSQL {0}: {1}-byte statistics items")
    @CsvSource({"15, 12", "16, 12", "17, 12", "18, 16"})
    void commitPreparedSkipsEverythingBeforeTheTwoPhaseXid(int major, int statsItemSize) {
        ByteBuffer b = body().putLong(TIME).putInt(DBINFO | SUBXACTS | RELFILELOCATORS | DROPPED_STATS | INVALS | TWOPHASE | GID | ORIGIN);
        b.putInt(5).putInt(1663); // dbinfo
        b.putInt(2).putInt(801).putInt(802); // subtransactions
        b.putInt(1).putInt(1663).putInt(5).putInt(16_384); // relation files
        b.putInt(2).put(new byte[2 * statsItemSize]); // dropped statistics
        b.putInt(1).put(new byte[16]); // invalidation messages
        b.putInt(800); // two-phase xid
        b.put("cellar_commit".getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        b.putLong(0xABCDEF0L).putLong(TIME - 1); // origin, unaligned
        TransactionEnd commit = decodeTransaction(record(1, 0x30 | HAS_INFO, 0, major, bytes(b)));
        assertThat(commit.xid()).isEqualTo(800);
        assertThat(commit.kind()).isEqualTo(Kind.COMMIT_PREPARED);
        assertThat(commit.time()).isEqualTo(INSTANT);
        assertThat(WalTargetEvents.statsItemSize(major)).isEqualTo(statsItemSize);
    }

    /** ParseAbortRecord has no invalidations: an abort never skips them, whatever xinfo says. */
    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {15, 18})
    void rollbackPreparedHasNoInvalidations(int major) {
        ByteBuffer b = body().putLong(TIME).putInt(SUBXACTS | INVALS | TWOPHASE);
        b.putInt(1).putInt(901);
        b.putInt(900);
        TransactionEnd abort = decodeTransaction(record(1, 0x40 | HAS_INFO, 77, major, bytes(b)));
        assertThat(abort.xid()).isEqualTo(900);
        assertThat(abort.kind()).isEqualTo(Kind.ABORT_PREPARED);
        assertThat(abort.committed()).isFalse();
    }

    @Test
    void aPlainAbortIsTheHeadersXidEvenWithSubtransactions() {
        ByteBuffer b = body().putLong(TIME).putInt(SUBXACTS).putInt(1).putInt((int) 4_000_000_001L);
        TransactionEnd abort = decodeTransaction(record(1, 0x20 | HAS_INFO, 4_000_000_000L, 16, bytes(b)));
        assertThat(abort.xid()).isEqualTo(4_000_000_000L);
        assertThat(abort.kind()).isEqualTo(Kind.ABORT);
    }

    @Test
    void aRestorePointsNameEndsAtItsNul() {
        ByteBuffer b = body().putLong(TIME);
        byte[] name = new byte[64];
        byte[] given = "vor_dem_Upgrade_Ä".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(given, 0, name, 0, given.length);
        name[given.length + 1] = 'x'; // garbage after the terminator is ignored
        b.put(name);
        WalTargetEvent event = WalTargetEvents.decode(record(0, 0x70, 0, 18, bytes(b))).orElseThrow();
        assertThat(event).isEqualTo(new RestorePoint(TIMELINE, START, Lsn.parse("0/5A000230"), "vor_dem_Upgrade_Ä", INSTANT));
    }

    @Test
    void aRestorePointNameOf63Bytes() {
        ByteBuffer b = body().putLong(TIME).put("n".repeat(63).getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        RestorePoint point = (RestorePoint) WalTargetEvents.decode(record(0, 0x70, 0, 15, bytes(b))).orElseThrow();
        assertThat(point.name()).hasSize(63);
    }

    @Test
    void recordsThatAreNoTargetEvents() {
        byte[] data = bytes(body().putLong(TIME).put(new byte[64]));
        assertThat(WalTargetEvents.decode(record(1, 0x10, 5, 17, data))).as("PREPARE").isEmpty();
        assertThat(WalTargetEvents.decode(record(1, 0x50, 5, 17, data))).as("ASSIGNMENT").isEmpty();
        assertThat(WalTargetEvents.decode(record(0, 0x00, 0, 17, data))).as("CHECKPOINT_SHUTDOWN").isEmpty();
        assertThat(WalTargetEvents.decode(record(10, 0x70, 5, 17, data))).as("a heap record").isEmpty();
        assertThat(WalTargetEvents.isCandidate(new WalRecordHeader(24, 0, Lsn.ZERO, 0x70 | 0x01, 0, 0)))
                .as("RESTORE_POINT with an XLR_INFO_MASK bit").isTrue();
    }

    @Test
    void aCandidateReadWithoutItsMainDataIsAProgrammingError() {
        WalRecord record = record(1, 0, 5, 17, new byte[8]);
        WalRecord withoutData = new WalRecord(record.timeline(), 17, record.start(), record.end(), record.header(),
                record.layout(), Optional.empty());
        assertThatThrownBy(() -> WalTargetEvents.decode(withoutData))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the record at 0/5A0001C8 was read without its main data");
    }

    @Test
    void mainDataTooShortForWhatItAnnounces() {
        ByteBuffer b = body().putLong(TIME).putInt(SUBXACTS | TWOPHASE).putInt(1000).putInt(1);
        assertThatThrownBy(() -> WalTargetEvents.decode(record(1, 0x30 | HAS_INFO, 0, 17, bytes(b))))
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.WAL_INVALID);
                    assertThat(e.hint()).contains("the WAL cannot be read past 0/5A0001C8: use an intact copy of the segment holding it");
                })
                .hasMessage("commit record at 0/5A0001C8 (timeline 2): main data of 20 bytes, too short for the 4000 bytes at offset 16");
        ByteBuffer negative = body().putLong(TIME).putInt(RELFILELOCATORS).putInt(-1);
        assertThatThrownBy(() -> WalTargetEvents.decode(record(1, 0x20 | HAS_INFO, 9, 17, bytes(negative))))
                .isInstanceOf(CellarException.class)
                .hasMessage("abort record at 0/5A0001C8 (timeline 2): -1 relation files at offset 12");
        assertThatThrownBy(() -> WalTargetEvents.decode(record(0, 0x70, 0, 17, new byte[40])))
                .isInstanceOf(CellarException.class)
                .hasMessage("restore point record at 0/5A0001C8 (timeline 2): main data of 40 bytes, too short for the 64 bytes at offset 8");
    }
}
