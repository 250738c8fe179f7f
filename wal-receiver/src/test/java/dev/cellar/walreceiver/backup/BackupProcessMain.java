package dev.cellar.walreceiver.backup;

import dev.cellar.storage.backup.BackupWriterSettings;
import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A base backup in its own JVM, for tests that kill it with SIGKILL. Arguments: repository, host,
 * port, user, password. Throttled (MAX_RATE) so that it is still running when killed; prints
 * "stored N" whenever more chunks are stored.
 */
public final class BackupProcessMain {
    private BackupProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        Repository repository = new Repository(LocalStore.open(Path.of(args[0])));
        ReplicationConnectionSettings connection = ReplicationConnectionSettings.builder(args[3])
                .endpoint(args[1], Integer.parseInt(args[2]))
                .password(() -> Optional.of(args[4].toCharArray()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        BackupRequest request = new BackupRequest("c1", connection, BackupFrom.ANY,
                BaseBackupOptions.full("killed").withMaxRate(OptionalInt.of(2048)), Codec.parse("zstd:1"),
                BackupWriterSettings.defaults().withChunkSize(256 * 1024), Optional.empty(), true);
        BaseBackupRun run = new BaseBackupRun(repository, request, Clock.systemUTC());
        long[] last = {-1};
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        reporter.scheduleAtFixedRate(() -> {
            long stored = run.progress().bytesStored();
            if (stored != last[0]) {
                System.out.println("stored " + stored);
                System.out.flush();
                last[0] = stored;
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        run.execute();
        System.out.println("finished");
    }
}
