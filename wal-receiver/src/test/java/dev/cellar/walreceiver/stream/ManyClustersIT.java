package dev.cellar.walreceiver.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.testkit.PgMajors;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.PostgresKit;
import dev.cellar.testkit.TestRoot;
import dev.cellar.testkit.WriteLoad;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ten clusters streaming at once into one repository from one JVM, under light load. */
class ManyClustersIT {
    private static final Logger log = LoggerFactory.getLogger(ManyClustersIT.class);
    private static final int CLUSTERS = 10;

    @RegisterExtension
    static final PostgresKit PG = PostgresKit.perTest();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void tenClustersStreamAtOnceEachIntoItsOwnPartOfOneRepository() throws Exception {
        Path root = TestRoot.newDirectory("many");
        Repository repository = new Repository(LocalStore.open(Files.createDirectories(root.resolve("repo"))));
        List<PgServer> servers = new ArrayList<>();
        List<WriteLoad> loads = new ArrayList<>();
        List<WalStream> streams = new ArrayList<>();
        try (WalStreamSupervisor supervisor = new WalStreamSupervisor(Backoff.DEFAULT, Clock.systemUTC())) {
            for (int i = 0; i < CLUSTERS; i++) {
                PgServer server = PG.start(PgMajors.newestSelected());
                servers.add(server);
                loads.add(WriteLoad.start(server, 10, 100));
                var settings = new WalStreamSettings("m" + i, StreamFixture.connection(server).build(), "cellar_m" + i,
                        false, Duration.ofSeconds(1), 16L << 20, Duration.ofSeconds(10), root.resolve("spool/m" + i),
                        Codec.parse("zstd:1"));
                WalStream stream = new WalStream(settings, repository, WalStreamListener.NONE, Clock.systemUTC());
                streams.add(stream);
                supervisor.start(stream);
            }
            Awaitility.await("all streaming").atMost(Duration.ofSeconds(90)).until(() -> streams.stream()
                    .allMatch(s -> s.status().state() == WalStreamStatus.State.STREAMING));
            List<Lsn> ends = new ArrayList<>();
            for (PgServer server : servers) {
                ends.add(server.switchWal());
            }
            for (int i = 0; i < CLUSTERS; i++) {
                int n = i;
                Awaitility.await("cluster m" + i + " archived").atMost(Duration.ofSeconds(90)).until(() ->
                        repository.latestWal("m" + n).map(w -> !w.segment().endLsn().isBefore(ends.get(n)))
                                .orElse(false));
            }
            System.gc();
            Runtime runtime = Runtime.getRuntime();
            long heapUsed = runtime.totalMemory() - runtime.freeMemory();
            int platformThreads = ManagementFactory.getThreadMXBean().getThreadCount();
            log.info("{} clusters streaming: heap used after GC {} MiB, {} threads in the JVM (one per stream, plus "
                    + "the test's load generators)", CLUSTERS, heapUsed >> 20, platformThreads);
            assertThat(supervisor.statuses()).hasSize(CLUSTERS)
                    .allSatisfy((name, status) -> assertThat(status.state()).isEqualTo(WalStreamStatus.State.STREAMING));
            assertThat(repository.clusterNames()).hasSize(CLUSTERS);
        } finally {
            loads.forEach(WriteLoad::close);
        }
    }
}
