package dev.cellar.walreceiver.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cellar.core.Lsn;
import dev.cellar.core.TimelineHistory;
import dev.cellar.core.TimelineId;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredHistory;
import dev.cellar.storage.repository.StoredWal;
import dev.cellar.testkit.PgServer;
import dev.cellar.testkit.TestCredentials;
import dev.cellar.testkit.TestRoot;
import dev.cellar.walreceiver.connection.PasswordSource;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.TargetSessionAttrs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A repository, a WAL stream of one cluster into it, and checks of what it archived. */
final class StreamFixture implements AutoCloseable {
    final String cluster;
    final Path root;
    final Repository repository;
    final WalStreamSupervisor supervisor = new WalStreamSupervisor(
            new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(2)), Clock.systemUTC());
    WalStream stream;

    StreamFixture(String cluster) {
        this(cluster, TestRoot.newDirectory("repo-" + cluster));
    }

    private StreamFixture(String cluster, Path root) {
        this.cluster = cluster;
        this.root = root;
        try {
            Files.createDirectories(root.resolve("repo"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.repository = new Repository(LocalStore.open(root.resolve("repo")));
        ROOTS.put(cluster, root);
    }

    private static final Map<String, Path> ROOTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A fixture on the repository and spool an earlier fixture of {@code cluster} used. */
    static StreamFixture existing(String cluster) {
        return new StreamFixture(cluster, ROOTS.get(cluster));
    }

    static ReplicationConnectionSettings.Builder connection(PgServer... servers) {
        ReplicationConnectionSettings.Builder builder = ReplicationConnectionSettings.builder(TestCredentials.SCRAM_USER)
                .password(() -> Optional.of(TestCredentials.SCRAM_PASSWORD.toCharArray()))
                .connectTimeout(Duration.ofSeconds(5))
                .targetSessionAttrs(TargetSessionAttrs.ANY);
        for (PgServer server : servers) {
            builder.endpoint(server.host(), server.port());
        }
        return builder;
    }

    WalStreamSettings settings(ReplicationConnectionSettings connection, boolean synchronous) {
        return new WalStreamSettings(cluster, connection, "cellar_" + cluster, synchronous, Duration.ofMillis(200),
                16L << 20, Duration.ofSeconds(1), root.resolve("spool"), Codec.parse("zstd:1"));
    }

    WalStream start(ReplicationConnectionSettings connection, boolean synchronous) {
        stream = new WalStream(settings(connection, synchronous), repository, WalStreamListener.NONE,
                Clock.systemUTC());
        supervisor.start(stream);
        return stream;
    }

    void stop() throws InterruptedException {
        assertThat(supervisor.stop(cluster, Duration.ofSeconds(30))).as("stream stopped in time").isTrue();
    }

    @Override
    public void close() {
        supervisor.close();
    }

    WalStreamStatus status() {
        return stream.status();
    }

    /** Whether every byte before {@code lsn} is archived as complete segments. */
    boolean archivedThrough(Lsn lsn) {
        return repository.latestWal(cluster).map(w -> !w.partial() && !w.segment().endLsn().isBefore(lsn))
                .orElse(false);
    }

    List<StoredWal> segments() {
        return repository.walSegments(cluster);
    }

    byte[] bytesOf(StoredWal wal) {
        try (InputStream in = repository.openWal(wal)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks that the archive holds, for every segment from the first archived one to the last, the
     * copy recovery would read on {@code history}'s path; returns the number of segments checked.
     */
    int assertContinuous(TimelineHistory history) {
        Map<String, StoredWal> complete = new TreeMap<>();
        for (StoredWal wal : segments()) {
            if (!wal.partial()) {
                complete.put(wal.segment().fileName(), wal);
            }
        }
        List<StoredWal> sorted = new ArrayList<>(complete.values());
        sorted.sort(Comparator.comparingLong(w -> w.segment().segmentNumber()));
        assertThat(sorted).as("archived segments").isNotEmpty();
        var size = sorted.getFirst().segment().size();
        long first = sorted.getFirst().segment().segmentNumber();
        long last = sorted.getLast().segment().segmentNumber();
        for (long n = first; n <= last; n++) {
            Lsn start = Lsn.of(n * size.bytes());
            TimelineId needed = StartPointResolver.timelineServing(history, start, size);
            String name = new dev.cellar.core.WalSegmentName(needed, n, size).fileName();
            assertThat(complete).as("segment %s (needed by recovery on timeline %s)", name, history.timeline())
                    .containsKey(name);
        }
        return (int) (last - first + 1);
    }

    List<TimelineId> historyTimelines() {
        return repository.histories(cluster).stream().map(StoredHistory::history).map(TimelineHistory::timeline).toList();
    }

    /** The server's own copy of a segment, if it still has it. */
    static Optional<byte[]> serverCopy(PgServer server, StoredWal wal) {
        Path file = server.dataDirectory().resolve("pg_wal").resolve(wal.segment().fileName());
        try {
            return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
