package dev.cellar.walreceiver.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.core.WalSegmentName;
import dev.cellar.core.WalSegmentSize;
import dev.cellar.storage.repository.StoredWal;
import dev.cellar.storage.repository.WalGap;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.WriteLoad;
import dev.cellar.walreceiver.connection.TargetSessionAttrs;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Continuous archiving against real PostgreSQL 15-18: bytes, slot, failover, timelines, gaps. */
@org.junit.jupiter.api.Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class WalStreamIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void archivesSegmentsByteIdenticalToTheServersAndTheSlotNeverPassesTheDurablePosition(int major) throws Exception {
        PgServer server = PG.start(major);
        try (StreamFixture fx = new StreamFixture("c" + major)) {
            try (WriteLoad load = WriteLoad.start(server, 200, 200)) {
                WalStream stream = fx.start(StreamFixture.connection(server).build(), false);
                awaitStreaming(stream);
                for (int i = 0; i < 3; i++) {
                    long before = load.commits();
                    Awaitility.await("commits").atMost(WAIT).until(() -> load.commits() > before + 20);
                    Lsn end = server.switchWal();
                    Awaitility.await("archived through " + end).atMost(WAIT).untilAsserted(() -> {
                        assertSlotNotPastDurable(server, fx);
                        assertThat(fx.archivedThrough(end)).isTrue();
                    });
                }
                load.assertHealthy();
            }
            int compared = 0;
            for (StoredWal wal : fx.segments()) {
                Optional<byte[]> original = StreamFixture.serverCopy(server, wal);
                if (original.isPresent() && !wal.partial()) {
                    assertThat(fx.bytesOf(wal)).as("archived %s", wal.segment()).isEqualTo(original.get());
                    compared++;
                }
            }
            assertThat(compared).as("segments compared with pg_wal").isGreaterThanOrEqualTo(3);
            assertThat(fx.assertContinuous(TimelineHistory.initial())).isGreaterThanOrEqualTo(3);
            fx.stop();
            assertSlotNotPastDurable(server, fx);
            assertThat(fx.status().state()).isEqualTo(WalStreamStatus.State.STOPPED);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void followsAFailoverThroughTheConninfosOtherHostOntoTimelineTwo(int major) throws Exception {
        PgServer primary = PG.start(major);
        PgServer standby = PG.standbyOf(primary);
        try (StreamFixture fx = new StreamFixture("fo" + major)) {
            WalStream stream = fx.start(StreamFixture.connection(primary, standby)
                    .targetSessionAttrs(TargetSessionAttrs.READ_WRITE).build(), false);
            awaitStreaming(stream);
            primary.execute("CREATE TABLE before_failover AS SELECT generate_series(1, 1000) AS i");
            Lsn end1 = primary.switchWal();
            Awaitility.await("timeline 1 archived").atMost(WAIT).until(() -> fx.archivedThrough(end1));
            Awaitility.await("standby caught up").atMost(WAIT)
                    .until(() -> !standby.currentLsn().isBefore(end1));

            primary.kill9();
            standby.promote();
            standby.execute("CREATE TABLE after_failover AS SELECT generate_series(1, 1000) AS i");
            Lsn end2 = standby.switchWal();

            Awaitility.await("timeline 2 archived").atMost(WAIT).untilAsserted(() -> {
                assertThat(fx.status().timeline()).contains(TimelineId.of(2));
                assertThat(fx.archivedThrough(end2)).isTrue();
            });
            assertThat(fx.status().server()).contains(standby.host() + ":" + standby.port());
            assertThat(fx.historyTimelines()).containsExactly(TimelineId.of(2));
            TimelineHistory two = fx.repository.histories(fx.cluster).getFirst().history();
            fx.assertContinuous(two);
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void aNewPrimaryThatRecycledTheNewestArchivedSegmentIsFollowedWithoutAGap(int major) throws Exception {
        PgServer primary = PG.start(major);
        PgServer standby = PG.standbyOf(primary);
        try (StreamFixture fx = new StreamFixture("rc" + major)) {
            fx.start(StreamFixture.connection(primary, standby).targetSessionAttrs(TargetSessionAttrs.READ_WRITE)
                    .build(), false);
            awaitStreaming(fx.stream);
            primary.execute("CREATE TABLE t AS SELECT generate_series(1, 1000) AS i");
            Lsn end1 = primary.switchWal();
            Awaitility.await("timeline 1 archived").atMost(WAIT).until(() -> fx.archivedThrough(end1));
            Awaitility.await("standby caught up").atMost(WAIT).until(() -> !standby.currentLsn().isBefore(end1));
            fx.stop();

            // The new primary has no slot of ours and, at its first checkpoints, removes timeline 1's
            // last segment before we come back: the segment Cellar streams again to compare with its
            // copy is gone, while timeline 2's WAL from the switch on is still there.
            primary.stop();
            standby.promote();
            standby.execute("CREATE TABLE r AS SELECT generate_series(1, 1000) AS i");
            standby.checkpoint();
            standby.checkpoint();
            String removed = WalSegmentName.containing(TimelineId.INITIAL, Lsn.of(end1.value() - 1),
                    WalSegmentSize.DEFAULT).fileName();
            assertThat(standby.queryLong("SELECT count(*) FROM pg_ls_waldir() WHERE name = '" + removed + "'"))
                    .as("the old segment is gone from the new primary").isZero();

            fx.start(StreamFixture.connection(primary, standby).targetSessionAttrs(TargetSessionAttrs.READ_WRITE)
                    .build(), false);
            Lsn end2 = standby.switchWal();
            Awaitility.await("timeline 2 archived").atMost(WAIT).untilAsserted(() -> {
                assertThat(fx.status().timeline()).contains(TimelineId.of(2));
                assertThat(fx.archivedThrough(end2)).isTrue();
            });
            assertThat(fx.repository.gaps(fx.cluster)).as("no gap: everything before was archived").isEmpty();
            fx.assertContinuous(fx.repository.histories(fx.cluster).getFirst().history());
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void streamingFromAStandbyThatIsPromotedSwitchesTimelineInStream(int major) throws Exception {
        PgServer primary = PG.start(major);
        PgServer standby = PG.standbyOf(primary);
        try (StreamFixture fx = new StreamFixture("ts" + major)) {
            WalStream stream = fx.start(StreamFixture.connection(standby).build(), false);
            awaitStreaming(stream);
            primary.execute("CREATE TABLE t AS SELECT generate_series(1, 1000) AS i");
            Lsn end1 = primary.switchWal();
            Awaitility.await("timeline 1 archived from the standby").atMost(WAIT).until(() -> fx.archivedThrough(end1));
            String connectedTo = fx.status().server().orElseThrow();
            long sessions = fx.status().sessions();

            primary.stop();
            Instant promoted = Instant.now();
            standby.promote();

            Awaitility.await("on timeline 2 in stream").atMost(WAIT)
                    .until(() -> fx.status().timeline().equals(Optional.of(TimelineId.of(2))));
            Duration took = Duration.between(promoted, Instant.now());
            assertThat(took).as("timeline switch after promotion").isLessThan(Duration.ofSeconds(10));
            assertThat(fx.status().server()).contains(connectedTo);
            assertThat(fx.status().sessions()).as("no reconnection: the switch was followed in-stream").isEqualTo(sessions);
            assertThat(fx.status().state()).isEqualTo(WalStreamStatus.State.STREAMING);
            standby.execute("CREATE TABLE t2 AS SELECT generate_series(1, 1000) AS i");
            Lsn end2 = standby.switchWal();
            Awaitility.await("timeline 2 archived").atMost(WAIT).until(() -> fx.archivedThrough(end2));
            assertThat(fx.segments()).anyMatch(w -> w.partial() && w.segment().timeline().equals(TimelineId.of(1)));
            fx.assertContinuous(fx.repository.histories(fx.cluster).getFirst().history());
        }
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @MethodSource("dev.cellar.testkit.PgMajors#selected")
    void walTheServerNoLongerHasIsRecordedAsAGapAndStreamingGoesOn(int major) throws Exception {
        PgServer server = PG.start(major, settings -> settings.add("min_wal_size = 32MB"));
        try (StreamFixture fx = new StreamFixture("gap" + major)) {
            fx.start(StreamFixture.connection(server).build(), false);
            awaitStreaming(fx.stream);
            Lsn end = server.switchWal();
            Awaitility.await("archived").atMost(WAIT).until(() -> fx.archivedThrough(end));
            fx.stop();
            Lsn resumeAt = fx.repository.latestWal(fx.cluster).orElseThrow().segment().endLsn();

            server.execute("SELECT pg_drop_replication_slot('cellar_" + fx.cluster + "')");
            for (int i = 0; i < 6; i++) {
                server.execute("CREATE TABLE IF NOT EXISTS filler (x text)",
                        "INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 2000)");
                server.switchWal();
                server.checkpoint();
            }
            String firstKept = server.queryString("SELECT min(name) FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'");
            assertThat(firstKept).as("the server recycled the WAL we need").isGreaterThan(
                    new dev.cellar.core.WalSegmentName(TimelineId.of(1), resumeAt.segmentNumber(
                            dev.cellar.core.WalSegmentSize.DEFAULT), dev.cellar.core.WalSegmentSize.DEFAULT).fileName());

            fx.start(StreamFixture.connection(server).build(), false);
            awaitStreaming(fx.stream);
            assertThat(fx.repository.gaps(fx.cluster)).singleElement().satisfies(gap -> {
                assertThat(gap.timeline()).isEqualTo(TimelineId.of(1));
                assertThat(gap.from()).isEqualTo(resumeAt);
                assertThat(gap.to()).isGreaterThan(resumeAt);
                assertThat(gap.reason()).contains("no longer on");
            });
            WalGap gap = fx.repository.gaps(fx.cluster).getFirst();
            assertThat(fx.status().lastGap()).as("the stream's status shows the gap").contains(gap);
            server.execute("INSERT INTO filler VALUES ('after the gap')");
            Lsn after = server.switchWal();
            Awaitility.await("archived after the gap").atMost(WAIT).until(() -> fx.archivedThrough(after));
            assertThat(fx.segments()).noneMatch(w -> w.segment().startLsn().isBefore(gap.to())
                    && !w.segment().endLsn().isAfter(gap.to()) && w.segment().startLsn().isAfter(resumeAt));
        }
    }

    private static void awaitStreaming(WalStream stream) {
        Awaitility.await("streaming").atMost(WAIT)
                .until(() -> stream.status().state() == WalStreamStatus.State.STREAMING);
    }

    private static void assertSlotNotPastDurable(PgServer server, StreamFixture fx) {
        String restart = server.queryString("SELECT coalesce(restart_lsn::text, '0/0') FROM pg_replication_slots "
                + "WHERE slot_name = 'cellar_" + fx.cluster + "'");
        Lsn flushed = fx.status().flushed();
        assertThat(Lsn.parse(restart)).as("slot restart_lsn vs the durable position").isLessThanOrEqualTo(flushed);
    }
}
