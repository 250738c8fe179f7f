package dev.cellar.walreceiver.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.WalSegmentName;
import dev.cellar.storage.repository.StoredWal;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.testkit.WriteLoad;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The receiver killed with SIGKILL: nothing acknowledged is lost, the archive stays continuous. */
class WalStreamCrashIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void twentyKillsUnderLoadLeaveTheArchiveContinuousWithoutGapsOrDuplicates() throws Exception {
        PgServer server = PG.start(PgMajors.newestSelected());
        Random random = new Random(4242);
        try (StreamFixture fx = new StreamFixture("kill"); WriteLoad load = WriteLoad.start(server, 300, 500)) {
            for (int kill = 0; kill < 20; kill++) {
                Process receiver = startReceiver(fx, server, false, "cellar_kill");
                BufferedReader out = lines(receiver);
                awaitLine(out, "STREAMING");
                if (random.nextBoolean()) {
                    server.switchWal();
                }
                // Let it write for a moment that depends on the run: until a few positions went by.
                int moves = 1 + random.nextInt(4);
                for (int i = 0; i < moves; i++) {
                    awaitLine(out, "STREAMING");
                }
                receiver.destroyForcibly();
                assertThat(receiver.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            load.assertHealthy();
        }
        try (StreamFixture fx = reopen("kill")) {
            fx.start(StreamFixture.connection(server).build(), false);
            Lsn end = server.switchWal();
            Awaitility.await("archived after the kills").atMost(WAIT).until(() -> fx.archivedThrough(end));
            assertThat(fx.repository.gaps(fx.cluster)).isEmpty();
            Set<String> names = new HashSet<>();
            for (StoredWal wal : fx.segments()) {
                assertThat(names.add(wal.segment().fileName() + (wal.partial() ? ".partial" : "")))
                        .as("segment %s stored once", wal.segment()).isTrue();
            }
            assertThat(fx.assertContinuous(TimelineHistory.initial())).isGreaterThanOrEqualTo(3);
            for (StoredWal wal : fx.segments()) {
                fx.repository.verifyWal(wal);
            }
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void inSynchronousModeEveryCommitThatReturnedIsDurableWhenTheReceiverIsKilled() throws Exception {
        PgServer server = PG.start(PgMajors.newestSelected(),
                settings -> settings.add("synchronous_standby_names = 'cellar_sync'"));
        try (StreamFixture fx = new StreamFixture("sync")) {
            Process receiver = startReceiver(fx, server, true, "cellar_sync");
            BufferedReader out = lines(receiver);
            awaitLine(out, "STREAMING");
            Awaitility.await("receiver is the synchronous standby").atMost(WAIT).until(() -> "sync".equals(
                    server.queryString("SELECT coalesce(max(sync_state), '') FROM pg_stat_replication "
                            + "WHERE application_name = 'cellar_sync'")));

            List<Lsn> acknowledged = new ArrayList<>();
            server.execute("CREATE TABLE acked (id int)");
            try (Connection c = server.connect();
                 PreparedStatement insert = c.prepareStatement(
                         "INSERT INTO acked VALUES (?) RETURNING pg_current_wal_insert_lsn()")) {
                for (int i = 0; i < 200; i++) {
                    insert.setInt(1, i);
                    try (ResultSet rs = insert.executeQuery()) {
                        rs.next();
                        acknowledged.add(Lsn.parse(rs.getString(1)));
                    }
                }
            }
            receiver.destroyForcibly();
            assertThat(receiver.waitFor(30, TimeUnit.SECONDS)).isTrue();

            Lsn lastAcknowledged = acknowledged.getLast();
            assertThat(bytesHeldFor(fx, server, lastAcknowledged))
                    .as("WAL up to the last acknowledged commit (%s) is in the repository or its spool", lastAcknowledged)
                    .isTrue();
        }
    }

    /**
     * Whether the repository (archived segments, or the spool of the segment being received) holds
     * the server's WAL bytes up to {@code lsn}, compared byte for byte with the server's own file.
     */
    private static boolean bytesHeldFor(StreamFixture fx, PgServer server, Lsn lsn) throws IOException {
        var size = dev.cellar.core.WalSegmentSize.DEFAULT;
        WalSegmentName segment = WalSegmentName.containing(dev.cellar.core.TimelineId.of(1), lsn, size);
        byte[] original = Files.readAllBytes(server.dataDirectory().resolve("pg_wal").resolve(segment.fileName()));
        int upTo = lsn.segmentOffset(size);
        byte[] ours;
        var archived = fx.repository.findWal(fx.cluster, segment, false);
        if (archived.isPresent()) {
            ours = fx.bytesOf(archived.get());
        } else {
            Path spool = fx.root.resolve("spool").resolve(segment.fileName() + ".receiving");
            ours = Files.readAllBytes(spool);
        }
        return java.util.Arrays.equals(ours, 0, upTo, original, 0, upTo);
    }

    private static Process startReceiver(StreamFixture fx, PgServer server, boolean synchronous, String appName)
            throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ReceiverProcessMain.class.getName(), fx.root.resolve("repo").toString(),
                fx.root.resolve("spool").toString(), fx.cluster, server.host(), String.valueOf(server.port()),
                TestCredentials.SCRAM_USER, TestCredentials.SCRAM_PASSWORD, String.valueOf(synchronous), appName);
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static BufferedReader lines(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void awaitLine(BufferedReader out, String prefix) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return;
            }
        }
        throw new IllegalStateException("the receiver exited before printing " + prefix);
    }

    private static StreamFixture reopen(String cluster) {
        return StreamFixture.existing(cluster);
    }
}
