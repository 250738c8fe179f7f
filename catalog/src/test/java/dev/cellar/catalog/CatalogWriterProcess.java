package dev.cellar.catalog;

import static org.awaitility.Awaitility.await;

import dev.cellar.core.TimelineId;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The other process of {@link TwoProcessCatalogTest}: opens the catalog (possibly creating and
 * migrating it at the same moment as the test JVM), writes its first WAL row, waits until the other
 * process has written its own first row, then writes and reads {@code count} times. Exits 0 on
 * success; on any failure prints the stack trace and exits 1.
 *
 * <p>Arguments: catalog file, own timeline, other process's timeline, count.
 */
public final class CatalogWriterProcess {
    private CatalogWriterProcess() {
    }

    public static void main(String[] args) {
        try {
            run(Path.of(args[0]), Long.parseLong(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
        } catch (Throwable e) {
            e.printStackTrace(System.out);
            System.exit(1);
        }
        System.exit(0);
    }

    /** The loop both processes run, each on its own timeline. */
    static void run(Path file, long timeline, long otherTimeline, int count) {
        try (Catalog catalog = Catalog.open(file)) {
            CatalogFixtures.registerCluster(catalog);
            catalog.wal().record(CatalogFixtures.wal(timeline, 0));
            await("the other process's first row").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> catalog.wal().find(CatalogFixtures.CLUSTER,
                            CatalogFixtures.segment(otherTimeline, 0), false).isPresent());
            for (int i = 1; i < count; i++) {
                catalog.wal().record(CatalogFixtures.wal(timeline, i));
                JobRow job = catalog.jobs().start(CatalogFixtures.CLUSTER, "writer-" + timeline,
                        CatalogFixtures.T0.plusSeconds(i));
                catalog.jobs().finish(job.id(), JobOutcome.SUCCEEDED, CatalogFixtures.T0.plusSeconds(i + 1));
                catalog.wal().timelineExtents(CatalogFixtures.CLUSTER);
                catalog.jobs().recent(CatalogFixtures.CLUSTER, 5);
                if (catalog.wal().find(CatalogFixtures.CLUSTER,
                        CatalogFixtures.segment(timeline, i), false).isEmpty()) {
                    throw new AssertionError("segment %d of timeline %s vanished".formatted(i, TimelineId.of(timeline)));
                }
            }
        }
    }
}
