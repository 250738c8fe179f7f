package dev.cellar.walreceiver.stream;

import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A WAL receiver in its own JVM, for tests that kill it with SIGKILL. Arguments: repository,
 * spool, cluster, host, port, user, password, synchronous (true/false), application name. Prints
 * "flushed LSN" whenever its durable position moves, until it is killed.
 */
public final class ReceiverProcessMain {
    private ReceiverProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        Repository repository = new Repository(LocalStore.open(Path.of(args[0])));
        ReplicationConnectionSettings connection = ReplicationConnectionSettings.builder(args[5])
                .endpoint(args[3], Integer.parseInt(args[4]))
                .password(() -> Optional.of(args[6].toCharArray()))
                .applicationName(args[8])
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        WalStreamSettings settings = new WalStreamSettings(args[2], connection, "cellar_" + args[2],
                Boolean.parseBoolean(args[7]), Duration.ofMillis(100), 16L << 20, Duration.ofSeconds(1), Path.of(args[1]),
                Codec.parse("zstd:1"));
        WalStream stream = new WalStream(settings, repository, WalStreamListener.NONE, Clock.systemUTC());
        WalStreamSupervisor supervisor = new WalStreamSupervisor(
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1)), Clock.systemUTC());
        supervisor.start(stream);
        String last = "";
        while (true) {
            WalStreamStatus status = stream.status();
            String line = status.state() + " " + status.flushed();
            if (!line.equals(last)) {
                System.out.println(line);
                System.out.flush();
                last = line;
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
