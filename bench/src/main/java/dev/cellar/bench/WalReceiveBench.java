package dev.cellar.bench;

import dev.cellar.storage.codec.Codec;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import dev.cellar.walreceiver.connection.ReplicationConnectionSettings;
import dev.cellar.walreceiver.connection.SslMode;
import dev.cellar.walreceiver.stream.Backoff;
import dev.cellar.walreceiver.stream.WalStream;
import dev.cellar.walreceiver.stream.WalStreamListener;
import dev.cellar.walreceiver.stream.WalStreamSettings;
import dev.cellar.walreceiver.stream.WalStreamStatus;
import dev.cellar.walreceiver.stream.WalStreamSupervisor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Cellar's WAL receiver as a standalone process, for {@code bench/wal-receive.sh}: one
 * {@link WalStream} with a {@link LocalStore} repository and a spool, under a
 * {@link WalStreamSupervisor}, with the product's default cadence (fsync every 1 s or 16 MiB,
 * status every 10 s; see {@link WalStreamSettings#of}). Not a test: nothing is timed here.
 *
 * <pre>
 * WalReceiveBench host port user slot applicationName repositoryDir spoolDir codec synchronous
 * </pre>
 *
 * Prints one line whenever the stream's state or positions change (checked every 50 ms):
 * {@code status <state> received <lsn> <decimal> flushed <lsn> <decimal>}, where "flushed" is
 * the fsynced position Cellar reports to the server. Runs until SIGTERM/SIGINT; it then stops
 * the stream (which makes its WAL durable) and prints {@code stopped}.
 */
public final class WalReceiveBench {
    private static final String CLUSTER = "bench";

    private WalReceiveBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            System.err.println("usage: WalReceiveBench host port user slot applicationName repositoryDir spoolDir "
                    + "codec(none|zstd:N) synchronous(true|false)");
            System.exit(2);
        }
        ReplicationConnectionSettings connection = ReplicationConnectionSettings.builder(args[2])
                .endpoint(args[0], Integer.parseInt(args[1]))
                .applicationName(args[4])
                .sslMode(SslMode.DISABLE)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        Path repositoryDir = Files.createDirectories(Path.of(args[5]));
        Repository repository = new Repository(LocalStore.open(repositoryDir));
        WalStreamSettings settings = WalStreamSettings.of(CLUSTER, connection, args[3], Boolean.parseBoolean(args[8]),
                Path.of(args[6]), Codec.parse(args[7]));
        WalStream stream = new WalStream(settings, repository, WalStreamListener.NONE, Clock.systemUTC());
        WalStreamSupervisor supervisor = new WalStreamSupervisor(Backoff.DEFAULT, Clock.systemUTC());

        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            supervisor.close(); // makes the received WAL durable, reports it, disconnects
            main.interrupt();
            System.out.println("stopped " + line(stream.status()));
            System.out.flush();
        }));

        System.out.printf(Locale.ROOT, "settings codec=%s synchronous=%s fsyncInterval=%s fsyncBytes=%d statusInterval=%s%n",
                settings.codec(), settings.synchronous(), settings.fsyncInterval(), settings.fsyncBytes(),
                settings.statusInterval());
        supervisor.start(stream);
        String last = "";
        while (!Thread.currentThread().isInterrupted()) {
            String line = line(stream.status());
            if (!line.equals(last)) {
                System.out.println("status " + line);
                System.out.flush();
                last = line;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    private static String line(WalStreamStatus status) {
        return status.state() + " received " + status.received() + " " + Long.toUnsignedString(status.received().value())
                + " flushed " + status.flushed() + " " + Long.toUnsignedString(status.flushed().value())
                + status.lastError().map(e -> " error " + e.replace('\n', ' ')).orElse("");
    }
}
