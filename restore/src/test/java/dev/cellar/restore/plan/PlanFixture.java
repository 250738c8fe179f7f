package dev.cellar.restore.plan;

import dev.cellar.catalog.BackupKind;
import dev.cellar.catalog.BackupOrigin;
import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.WalSegmentRow;
import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Facts for planning tests, built up fluently: backups, WAL files, timelines. */
final class PlanFixture {
    static final String CLUSTER = "c1";
    static final WalSegmentSize SIZE = WalSegmentSize.DEFAULT;
    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final String SHA = "0".repeat(64);

    final List<BackupRow> backups = new ArrayList<>();
    final List<TimelineHistory> histories = new ArrayList<>();
    final List<WalSegmentRow> wal = new ArrayList<>();

    static Lsn lsn(String text) {
        return Lsn.parse(text);
    }

    static Instant at(String time) {
        return Instant.parse("2026-11-21T" + time + "Z");
    }

    PlanFixture full(String id, int timeline, String start, String end, String endTime) {
        return backup(id, BackupKind.FULL, Optional.empty(), timeline, start, end, endTime, BackupStatus.COMPLETE);
    }

    PlanFixture incremental(String id, String parent, int timeline, String start, String end, String endTime) {
        return backup(id, BackupKind.INCREMENTAL, Optional.of(parent), timeline, start, end, endTime,
                BackupStatus.COMPLETE);
    }

    PlanFixture backup(String id, BackupKind kind, Optional<String> parent, int timeline, String start, String end,
                       String endTime, BackupStatus status) {
        TimelineId tli = TimelineId.of(timeline);
        Instant finished = at(endTime);
        backups.add(new BackupRow(id, CLUSTER, kind, parent, "label", lsn(start), tli, Optional.of(lsn(end)),
                Optional.of(tli), Optional.of(lsn(start)), finished.minusSeconds(60), Optional.of(finished), 170002,
                BackupOrigin.PRIMARY, 1000, 100, status,
                status == BackupStatus.FAILED ? Optional.of("it broke") : Optional.empty(), Optional.empty(), false));
        return this;
    }

    /** Complete segments {@code first..last} (inclusive) of a timeline. */
    PlanFixture segments(int timeline, long first, long last) {
        for (long n = first; n <= last; n++) {
            WalSegmentName name = new WalSegmentName(TimelineId.of(timeline), n, SIZE);
            wal.add(row(name, false, name.endLsn()));
        }
        return this;
    }

    PlanFixture partial(int timeline, long number, String end) {
        wal.add(row(new WalSegmentName(TimelineId.of(timeline), number, SIZE), true, lsn(end)));
        return this;
    }

    private static WalSegmentRow row(WalSegmentName name, boolean partial, Lsn end) {
        return new WalSegmentRow(CLUSTER, name, partial, end, SIZE.bytes(), SHA, 10, SHA, "zstd",
                "clusters/c1/wal/" + name.fileName(), true, false, NOW.minusSeconds(3600));
    }

    /** Timeline {@code child} branched from the newest history at {@code switchPoint}. */
    PlanFixture branch(int child, String switchPoint) {
        TimelineHistory parent = histories.isEmpty() ? TimelineHistory.initial() : histories.getLast();
        histories.add(parent.branch(TimelineId.of(child), lsn(switchPoint), "no recovery target specified"));
        return this;
    }

    RestoreFacts facts() {
        return new RestoreFacts(CLUSTER, SIZE, backups, histories, wal, NOW);
    }
}
