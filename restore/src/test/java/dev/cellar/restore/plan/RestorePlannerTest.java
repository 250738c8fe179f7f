package dev.cellar.restore.plan;

import static dev.cellar.restore.plan.PlanFixture.at;
import static dev.cellar.restore.plan.PlanFixture.lsn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestorePlannerTest {

    /** A locator that knows a fixed list of records, as the WAL would hold them. */
    static final class Records implements StopLocator {
        final List<StopRecord> records = new ArrayList<>();
        final List<String> scans = new ArrayList<>();

        Records commit(String start, String time) {
            Lsn begin = lsn(start);
            records.add(new StopRecord(begin, begin.plus(40), Optional.of(at(time)), "commit at " + time));
            return this;
        }

        Records point(String start, String name) {
            Lsn begin = lsn(start);
            records.add(new StopRecord(begin, begin.plus(100), Optional.empty(), "restore point " + name));
            return this;
        }

        @Override
        public Optional<StopRecord> firstStop(RecoveryTarget target, boolean inclusive, TimelineHistory path,
                                              Lsn from, Lsn to) {
            scans.add(from + ".." + to);
            if (target instanceof RecoveryTarget.AtLsn(var lsn)) {
                // Every position holds a 24-byte record here: the first at or after the LSN is at it.
                Lsn recordEnd = lsn.plus(24);
                return !lsn.isBefore(from) && recordEnd.compareTo(to) <= 0
                        ? Optional.of(new StopRecord(lsn, recordEnd, Optional.empty(), "record at " + lsn))
                        : Optional.empty();
            }
            return records.stream()
                    .filter(r -> !r.start().isBefore(from) && r.end().compareTo(to) <= 0)
                    .filter(r -> switch (target) {
                        case RecoveryTarget.AtTime(var time) -> r.time().isPresent()
                                && (inclusive ? r.time().get().isAfter(time) : !r.time().get().isBefore(time));
                        case RecoveryTarget.AtName(var name) -> r.description().equals("restore point " + name);
                        case RecoveryTarget.AtXid(var xid) -> r.description().equals("commit of " + xid);
                        default -> false;
                    })
                    .findFirst();
        }
    }

    static final StopLocator NO_RECORDS = new Records();

    static RestorePlan plan(PlanFixture fixture, RestoreTarget target, StopLocator locator) {
        return RestorePlanner.plan(fixture.facts(), target, locator);
    }

    static RestoreTarget to(RecoveryTarget target) {
        return RestoreTarget.latest().withTarget(target);
    }

    static void assertRefused(Runnable planning, String... fragments) {
        assertThatThrownBy(planning::run)
                .isInstanceOfSatisfying(CellarException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESTORE_FAILED);
                    assertThat(e.getMessage() + " | " + e.hint().orElse("")).contains(fragments);
                });
    }

    static List<String> files(RestorePlan plan) {
        return plan.wal().stream().map(WalSegmentRow::fileName).toList();
    }

    @Test
    void latestReplaysAllWalFromTheNewestBackup() {
        PlanFixture f = new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .full("F2", 1, "0/4000028", "0/4000138", "10:00:00")
                .segments(1, 2, 6);

        RestorePlan plan = plan(f, RestoreTarget.latest(), NO_RECORDS);

        assertThat(plan.chain()).extracting(BackupRow::id).containsExactly("F2");
        assertThat(plan.walFrom()).isEqualTo(lsn("0/4000028"));
        assertThat(plan.walTo()).isEqualTo(lsn("0/7000000"));
        assertThat(files(plan)).containsExactly("000000010000000000000004", "000000010000000000000005",
                "000000010000000000000006");
        assertThat(plan.path().timeline()).isEqualTo(TimelineId.INITIAL);
        assertThat(plan.histories()).isEmpty();
        assertThat(plan.stop()).isEmpty();
        assertThat(plan.notes()).containsExactly("recovery replays all archived WAL, to 0/7000000 on timeline 1");
    }

    @Test
    void immediateNeedsOnlyTheBackupsOwnWal() {
        PlanFixture f = new PlanFixture().full("F1", 1, "0/2000028", "0/3000100", "09:00:00").segments(1, 2, 6);
        RestorePlan plan = plan(f, to(new RecoveryTarget.Immediate()), NO_RECORDS);
        assertThat(plan.walTo()).isEqualTo(lsn("0/3000100"));
        assertThat(files(plan)).containsExactly("000000010000000000000002", "000000010000000000000003");
    }

    @Test
    void anLsnTargetTakesTheNewestBackupConsistentBeforeIt() {
        PlanFixture f = new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .full("F2", 1, "0/4000028", "0/4000138", "10:00:00")
                .segments(1, 2, 6);

        RestorePlan plan = plan(f, to(new RecoveryTarget.AtLsn(lsn("0/3FFFFF0"))).withInclusive(false), NO_RECORDS);
        assertThat(plan.backup().id()).isEqualTo("F1");
        assertThat(plan.walTo()).as("the first record at the target, whole").isEqualTo(lsn("0/4000008"));

        // Exactly at F2's consistency point: F2 is consistent there.
        assertThat(plan(f, to(new RecoveryTarget.AtLsn(lsn("0/4000138"))), NO_RECORDS).backup().id()).isEqualTo("F2");
        // The segment holding the target must be there, even at its first byte.
        assertThat(files(plan(f, to(new RecoveryTarget.AtLsn(lsn("0/6000000"))), NO_RECORDS)))
                .endsWith("000000010000000000000006");
    }

    @Test
    void aTargetBeforeTheFirstBackupIsRefusedNamingTheWindow() {
        PlanFixture f = new PlanFixture().full("F1", 1, "0/2000028", "0/2000138", "09:00:00").segments(1, 2, 3);
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtLsn(lsn("0/2000100"))), NO_RECORDS),
                "cluster c1: cannot restore to LSN 0/2000100: no backup can reach LSN 0/2000100:"
                        + " backup F1 is consistent only at 0/2000138, after the target",
                "recoverable on timeline 1: 0/2000138 (end of backup F1, 2026-11-21T09:00:00Z) to 0/4000000");
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtTime(at("08:00:00"))), NO_RECORDS),
                "backup F1 ended at 2026-11-21T09:00:00Z, after the target");
    }

    @Test
    void aTargetInTheFutureIsRefused() {
        PlanFixture f = new PlanFixture().full("F1", 1, "0/2000028", "0/2000138", "09:00:00").segments(1, 2, 3);
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtTime(at("12:00:01"))), NO_RECORDS),
                "the target time 2026-11-21T12:00:01Z is in the future (now is 2026-11-21T12:00:00Z)");
    }

    @Test
    void aTimeTargetStopsAtTheFirstTransactionThatEndedAfterIt() {
        PlanFixture f = new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .full("F2", 1, "0/5000028", "0/5000138", "11:00:00")
                .segments(1, 2, 6);
        Records records = new Records().commit("0/3000000", "09:30:00").commit("0/4000000", "10:30:00")
                .commit("0/5800000", "11:30:00");

        RestorePlan plan = plan(f, to(new RecoveryTarget.AtTime(at("10:00:00"))), records);
        assertThat(plan.backup().id()).isEqualTo("F1");
        assertThat(plan.stop()).hasValueSatisfying(s -> assertThat(s.start()).isEqualTo(lsn("0/4000000")));
        assertThat(plan.walTo()).isEqualTo(lsn("0/4000028"));
        assertThat(files(plan)).containsExactly("000000010000000000000002", "000000010000000000000003",
                "000000010000000000000004");
        assertThat(plan.notes()).containsExactly("recovery stops at the commit at 10:30:00");

        // Exclusive: a commit exactly at the target stops recovery before it.
        Records exact = new Records().commit("0/3000000", "10:00:00");
        assertThat(plan(f, to(new RecoveryTarget.AtTime(at("10:00:00"))).withInclusive(false), exact).stop())
                .hasValueSatisfying(s -> assertThat(s.start()).isEqualTo(lsn("0/3000000")));
    }

    @Test
    void aBackupWhoseOwnWalHoldsALaterCommitIsPassedOver() {
        // F2's end time (Cellar's clock) is before the target, but the server's clock put a commit
        // inside F2 after it: recovery from F2 would stop before consistency.
        PlanFixture f = new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .full("F2", 1, "0/5000028", "0/5000138", "10:00:00")
                .segments(1, 2, 6);
        Records records = new Records().commit("0/5000100", "10:00:02");
        RestorePlan plan = plan(f, to(new RecoveryTarget.AtTime(at("10:00:01"))), records);
        assertThat(plan.backup().id()).isEqualTo("F1");
        assertThat(records.scans).containsExactly("0/5000028..0/7000000", "0/2000028..0/7000000");
    }

    @Test
    void aTimeAfterTheLastTransactionIsRefusedBecausePostgresWouldNotStart() {
        PlanFixture f = new PlanFixture().full("F1", 1, "0/2000028", "0/2000138", "09:00:00").segments(1, 2, 3);
        Records records = new Records().commit("0/3000000", "09:30:00");
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtTime(at("10:00:00"))), records),
                "no transaction ended after 2026-11-21T10:00:00Z in the WAL archived after backup F1 (up to 0/4000000",
                "if nothing was committed after 2026-11-21T10:00:00Z, --target latest restores the same data;"
                        + " otherwise the WAL after 0/4000000 is not in the repository (yet)");
    }

    @Test
    void aGapRefusesTargetsBeyondItAndLatestSaysWhereItWouldStop() {
        PlanFixture f = new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .segments(1, 2, 3).segments(1, 5, 6);
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtLsn(lsn("0/5000100"))), NO_RECORDS),
                "the target 0/5000100 is beyond the archived WAL after backup F1, which reaches 0/4000000;"
                        + " WAL from 0/4000000 to 0/5000000 on timeline 1 is missing (a gap)");
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtTime(at("11:00:00"))), new Records()
                        .commit("0/3000000", "10:00:00").commit("0/5800000", "11:30:00")),
                "no transaction ended after 2026-11-21T11:00:00Z in the WAL archived after backup F1 (up to 0/4000000"
                        + " on timeline 1; WAL from 0/4000000 to 0/5000000 on timeline 1 is missing (a gap))");
        assertRefused(() -> plan(f, RestoreTarget.latest(), NO_RECORDS),
                "breaks off at 0/4000000", "resumes later (it ends at 0/7000000)",
                "restore to a point before 0/4000000 explicitly");
        assertThat(plan(f, to(new RecoveryTarget.AtLsn(lsn("0/3FFFFE0"))), NO_RECORDS).walTo())
                .isEqualTo(lsn("0/3FFFFF8"));
        // The record at the target would end in the missing segment: recovery could not finish it.
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtLsn(lsn("0/3FFFFF0"))), NO_RECORDS),
                "the archived WAL after backup F1 holds no complete record at or after 0/3FFFFF0 (it reaches 0/4000000;"
                        + " WAL from 0/4000000 to 0/5000000 on timeline 1 is missing (a gap))");
    }

    @Test
    void aBackupLackingItsOwnWalIsNotRestorable() {
        PlanFixture f = new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .full("F2", 1, "0/5000028", "0/6000100", "10:00:00")
                .segments(1, 2, 5);
        RestorePlan plan = plan(f, to(new RecoveryTarget.AtLsn(lsn("0/5FFFF00"))), NO_RECORDS);
        assertThat(plan.backup().id()).isEqualTo("F1");
        assertRefused(() -> plan(f, RestoreTarget.latest().withBackup("F2"), NO_RECORDS),
                "backup F2 lacks its own WAL (0/5000028 to 0/6000100)");
    }

    @Test
    void xidAndRestorePointTargetsChooseTheNewestBackupBeforeTheirRecord() {
        PlanFixture f = new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .full("F2", 1, "0/5000028", "0/5000138", "11:00:00")
                .segments(1, 2, 6);
        Records records = new Records().point("0/3000000", "before").point("0/5800000", "after");
        records.records.add(new StopRecord(lsn("0/4000000"), lsn("0/4000030"), Optional.empty(), "commit of 1234"));

        assertThat(plan(f, to(new RecoveryTarget.AtName("after")), records).backup().id()).isEqualTo("F2");
        RestorePlan before = plan(f, to(new RecoveryTarget.AtName("before")), records);
        assertThat(before.backup().id()).isEqualTo("F1");
        assertThat(before.walTo()).isEqualTo(lsn("0/3000064"));
        assertThat(plan(f, to(new RecoveryTarget.AtXid(1234)), records).backup().id()).isEqualTo("F1");
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtXid(999)), records),
                "transaction 999 does not end in the WAL after backup F2 (0/5000028 to 0/7000000)",
                "transaction 999 does not end in the WAL after backup F1 (0/2000028 to 0/7000000)");
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtName("nope")), records),
                "restore point \"nope\" is not in the WAL after backup F1");
    }

    @Test
    void anIncrementalBringsItsChainBackToTheFullBackup() {
        PlanFixture f = new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .incremental("I1", "F1", 1, "0/3000028", "0/3000138", "10:00:00")
                .incremental("I2", "I1", 1, "0/4000028", "0/4000138", "11:00:00")
                .segments(1, 2, 5);
        RestorePlan plan = plan(f, RestoreTarget.latest(), NO_RECORDS);
        assertThat(plan.chain()).extracting(BackupRow::id).containsExactly("F1", "I1", "I2");
        assertThat(plan.walFrom()).isEqualTo(lsn("0/4000028"));

        PlanFixture broken = new PlanFixture()
                .backup("F1", BackupKind.FULL, Optional.empty(), 1, "0/2000028", "0/2000138", "09:00:00",
                        BackupStatus.FAILED)
                .incremental("I1", "F1", 1, "0/3000028", "0/3000138", "10:00:00")
                .segments(1, 2, 5);
        assertRefused(() -> plan(broken, RestoreTarget.latest(), NO_RECORDS),
                "backup I1 needs backup F1, which is failed");
    }

    @Test
    void anExplicitBackupMustExistBeRestorableAndPrecedeTheTarget() {
        PlanFixture f = new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .full("F2", 1, "0/4000028", "0/4000138", "10:00:00")
                .backup("F3", BackupKind.FULL, Optional.empty(), 1, "0/5000028", "0/5000138", "11:00:00",
                        BackupStatus.FAILED)
                .segments(1, 2, 6);
        assertThat(plan(f, RestoreTarget.latest().withBackup("F1"), NO_RECORDS).walFrom()).isEqualTo(lsn("0/2000028"));
        assertRefused(() -> plan(f, RestoreTarget.latest().withBackup("F9"), NO_RECORDS), "cluster c1 has no backup F9");
        assertRefused(() -> plan(f, RestoreTarget.latest().withBackup("F3"), NO_RECORDS),
                "backup F3 is failed (it broke), not restorable");
        assertRefused(() -> plan(f, to(new RecoveryTarget.AtLsn(lsn("0/3000000"))).withBackup("F2"), NO_RECORDS),
                "backup F2 is consistent only at 0/4000138, after the target");
    }

    /**
     * Failover at 0/4000100: timeline 1 went on a little further on the old primary (its segment 4
     * is complete in the repository), timeline 2 starts at the switch point.
     */
    static PlanFixture failover() {
        return new PlanFixture()
                .full("F1", 1, "0/2000028", "0/2000138", "09:00:00")
                .full("F2", 2, "0/5000028", "0/5000138", "11:00:00")
                .segments(1, 2, 4)
                .branch(2, "0/4000100")
                .segments(2, 4, 6);
    }

    @Test
    void theLatestTimelineIsFollowedAcrossTheSwitch() {
        RestorePlan plan = plan(failover(), to(new RecoveryTarget.AtLsn(lsn("0/4800000"))), NO_RECORDS);
        assertThat(plan.path().timeline()).isEqualTo(TimelineId.of(2));
        assertThat(plan.backup().id()).isEqualTo("F1");
        // The switch segment is read from the new timeline's file, as PostgreSQL does.
        assertThat(files(plan)).containsExactly("000000010000000000000002", "000000010000000000000003",
                "000000020000000000000004");
        assertThat(plan.histories()).extracting(TimelineHistory::timeline).containsExactly(TimelineId.of(2));
        assertThat(plan(failover(), RestoreTarget.latest(), NO_RECORDS).backup().id()).isEqualTo("F2");
        assertThat(plan(failover(), to(new RecoveryTarget.AtLsn(lsn("0/3000000"))), NO_RECORDS).walTo())
                .isEqualTo(lsn("0/3000018"));
    }

    @Test
    void theAbandonedPartOfTimelineOneIsReachableOnlyAlongTimelineOne() {
        RestoreTarget abandoned = to(new RecoveryTarget.AtLsn(lsn("0/4800000")))
                .withTimeline(new TargetTimeline.Exact(TimelineId.INITIAL));
        RestorePlan plan = plan(failover(), abandoned, NO_RECORDS);
        assertThat(plan.path().timeline()).isEqualTo(TimelineId.INITIAL);
        assertThat(files(plan)).containsExactly("000000010000000000000002", "000000010000000000000003",
                "000000010000000000000004");
        // Timeline 2's history is staged too: promoted, the server must not take number 2 again.
        assertThat(plan.histories()).extracting(TimelineHistory::timeline).containsExactly(TimelineId.of(2));
        // Beyond what timeline 1 has: refused, naming timeline 1's window.
        assertRefused(() -> plan(failover(), abandoned.withTarget(new RecoveryTarget.AtLsn(lsn("0/5000000"))),
                NO_RECORDS), "the target 0/5000000 is beyond the archived WAL after backup F1, which reaches 0/5000000",
                "recoverable on timeline 1: 0/2000138");
        // A backup of timeline 2 is not on timeline 1's path.
        assertRefused(() -> plan(failover(), RestoreTarget.latest().withBackup("F2")
                        .withTimeline(new TargetTimeline.Exact(TimelineId.INITIAL)), NO_RECORDS),
                "backup F2 ended on timeline 2 at 0/5000138, off the path to timeline 1");
    }

    @Test
    void currentFollowsTheBackupsTimelineAndUnknownTimelinesAreRefused() {
        RestorePlan plan = plan(failover(), RestoreTarget.latest().withBackup("F1")
                .withTimeline(new TargetTimeline.Current()), NO_RECORDS);
        assertThat(plan.path().timeline()).isEqualTo(TimelineId.INITIAL);
        assertThat(plan.walTo()).isEqualTo(lsn("0/5000000"));
        assertRefused(() -> plan(failover(), RestoreTarget.latest().withTimeline(new TargetTimeline.Exact(TimelineId.of(3))),
                NO_RECORDS), "timeline 3 of cluster c1 has no history file in the repository", "known timelines: 1, 2");
    }

    @Test
    void targetsAndTimelinesParseAndValidate() {
        assertThat(TargetTimeline.parse("latest")).isEqualTo(new TargetTimeline.Latest());
        assertThat(TargetTimeline.parse("CURRENT")).isEqualTo(new TargetTimeline.Current());
        assertThat(TargetTimeline.parse("0x1A")).isEqualTo(new TargetTimeline.Exact(TimelineId.of(26)));
        assertThat(TargetTimeline.parse("2")).isEqualTo(new TargetTimeline.Exact(TimelineId.of(2)));
        assertThatThrownBy(() -> TargetTimeline.parse("two")).hasMessageContaining("not latest, current or a number");
        assertThatThrownBy(() -> new RecoveryTarget.AtXid(2)).hasMessageContaining("not a normal");
        assertThat(new RecoveryTarget.AtXid((7L << 32) | 1234).xid32()).isEqualTo(1234);
        assertThatThrownBy(() -> RestoreTarget.latest().withAction(TargetAction.PAUSE))
                .hasMessageContaining("--target-action pause needs a target");
        assertThatThrownBy(() -> new RecoveryTarget.AtName("x".repeat(64))).hasMessageContaining("1 to 63 bytes");
        assertThatThrownBy(() -> new RecoveryTarget.AtLsn(Lsn.ZERO)).hasMessageContaining("0/0");
        assertThat(TargetAction.PAUSE.setting()).isEqualTo("pause");
    }
}
