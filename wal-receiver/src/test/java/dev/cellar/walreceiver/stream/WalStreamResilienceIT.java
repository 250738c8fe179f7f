package dev.cellar.walreceiver.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestCredentials;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the stream does when the world misbehaves: restarts, cut connections, bad passwords. */
@org.junit.jupiter.api.Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class WalStreamResilienceIT {
    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aServerRestartIsRiddenOutWithoutLosingWal() throws Exception {
        PgServer server = PG.start(PgMajors.newestSelected());
        try (StreamFixture fx = new StreamFixture("restart")) {
            fx.start(StreamFixture.connection(server).build(), false);
            awaitStreaming(fx);
            server.execute("CREATE TABLE t AS SELECT generate_series(1, 1000) i");
            server.stop();
            Awaitility.await("noticed").atMost(WAIT).until(() -> fx.status().state() != WalStreamStatus.State.STREAMING);
            assertThat(fx.status().lastError()).hasValueSatisfying(e -> assertThat(e).contains(server.host()));
            server.start();
            awaitStreaming(fx);
            server.execute("INSERT INTO t SELECT generate_series(1, 1000)");
            Lsn end = server.switchWal();
            Awaitility.await("archived after restart").atMost(WAIT).until(() -> fx.archivedThrough(end));
            fx.assertContinuous(TimelineHistory.initial());
            assertThat(fx.repository.gaps(fx.cluster)).isEmpty();
        }
    }

    @Test
    void aTerminatedWalsenderIsReconnected() throws Exception {
        PgServer server = PG.start(PgMajors.newestSelected());
        try (StreamFixture fx = new StreamFixture("cut")) {
            fx.start(StreamFixture.connection(server).applicationName("cellar_cut").build(), false);
            awaitStreaming(fx);
            server.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_replication WHERE application_name = 'cellar_cut'");
            Awaitility.await("reconnected").atMost(WAIT).until(() -> server.queryLong(
                    "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'cellar_cut'") == 1
                    && fx.status().state() == WalStreamStatus.State.STREAMING);
            Lsn end = server.switchWal();
            Awaitility.await("archived after the cut").atMost(WAIT).until(() -> fx.archivedThrough(end));
            fx.assertContinuous(TimelineHistory.initial());
        }
    }

    @Test
    void aWrongPasswordFailsClearlyAndRecoversOnceFixedWithoutARestart() throws Exception {
        PgServer server = PG.start(PgMajors.newestSelected());
        AtomicReference<String> password = new AtomicReference<>("not-the-password");
        try (StreamFixture fx = new StreamFixture("auth")) {
            fx.start(StreamFixture.connection(server)
                    .password(() -> Optional.of(password.get().toCharArray())).build(), false);
            Awaitility.await("failed").atMost(WAIT).until(() -> fx.status().state() == WalStreamStatus.State.FAILED);
            assertThat(fx.status().lastError()).hasValueSatisfying(e -> assertThat(e)
                    .contains("password authentication failed").contains(TestCredentials.SCRAM_USER)
                    .doesNotContain("not-the-password"));

            password.set(TestCredentials.SCRAM_PASSWORD);
            awaitStreaming(fx);
            Lsn end = server.switchWal();
            Awaitility.await("archived").atMost(WAIT).until(() -> fx.archivedThrough(end));
        }
    }

    @Test
    void inSynchronousModeCommitsWaitForTheReceiverAndGoOnWhenItIsBack() throws Exception {
        PgServer server = PG.start(PgMajors.newestSelected());
        server.execute("CREATE TABLE orders (id int)",
                "ALTER SYSTEM SET synchronous_standby_names = 'cellar_rpo0'", "SELECT pg_reload_conf()");
        try (StreamFixture fx = new StreamFixture("rpo0")) {
            var connection = StreamFixture.connection(server).applicationName("cellar_rpo0").build();
            fx.start(connection, true);
            awaitStreaming(fx);
            Awaitility.await("synchronous standby").atMost(WAIT).until(() -> "sync".equals(server.queryString(
                    "SELECT coalesce(max(sync_state), '') FROM pg_stat_replication WHERE application_name = 'cellar_rpo0'")));
            CompletableFuture.runAsync(() -> server.execute("INSERT INTO orders VALUES (1)"))
                    .get(30, TimeUnit.SECONDS);

            fx.stop();
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> server.execute("INSERT INTO orders VALUES (2)"));
            Awaitility.await("the commit waits for the synchronous standby").atMost(WAIT).until(() -> server.queryLong(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'") == 1);
            assertThat(waiting).isNotDone();

            fx.start(connection, true);
            waiting.get(60, TimeUnit.SECONDS);
            assertThat(server.queryLong("SELECT count(*) FROM orders")).isEqualTo(2);
        }
    }

    private static void awaitStreaming(StreamFixture fx) {
        Awaitility.await("streaming").atMost(WAIT)
                .until(() -> fx.status().state() == WalStreamStatus.State.STREAMING);
    }
}
