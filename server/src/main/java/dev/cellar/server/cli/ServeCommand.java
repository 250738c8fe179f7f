package dev.cellar.server.cli;

import dev.cellar.server.daemon.CellarDaemon;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code backupctl --config F serve}: runs the server until SIGTERM or SIGINT, then stops it
 * cleanly (streams flush and report their durable position); the JVM then exits 143 (SIGTERM) or 130 (SIGINT).
 * SIGHUP makes it read the configuration file again ({@link CellarDaemon#reload()}).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Cellar server for the clusters of the configuration, until stopped (SIGTERM);"
                + " SIGHUP reloads the configuration.")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    BackupCtl parent;

    @Override
    public Integer call() throws InterruptedException {
        if (parent.repository.source == null || parent.repository.source.config == null) {
            throw new IllegalArgumentException("serve needs the configuration: backupctl --config FILE serve");
        }
        // The server logs what it does (the other commands keep libraries quiet and print their own).
        dev.cellar.server.logging.RootLogLevel.forServer();
        CellarDaemon daemon = CellarDaemon.start(parent.repository.source.config, Clock.systemUTC());
        ReloadOnHangup.install(daemon::reload);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await(); // the JVM exits when the hook has run; nothing else to do here
        return 0;
    }
}
