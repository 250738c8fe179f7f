package dev.cellar.server.cli;

import dev.cellar.server.quickstart.Quickstart;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backupctl quickstart [--dir DIR] [--major N] [--once]}: a throwaway PostgreSQL, a Cellar
 * server for it, a base backup, WAL streaming and a point-in-time restore, each step explained.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Try Cellar on a throwaway PostgreSQL: back it up, stream its WAL, restore it to a point in"
                + " time and start the restored copy. Everything stays under --dir.")
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "cellar-demo", paramLabel = "DIR",
            description = "An empty or new directory for everything the quickstart creates (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--major", defaultValue = "17", paramLabel = "N",
            description = "PostgreSQL major version to run: 15, 16, 17 or 18 (default: ${DEFAULT-VALUE}).")
    int major;

    @Option(names = "--once", description = "Stop everything and exit once the restore is shown, instead of running"
            + " until Ctrl-C.")
    boolean once;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (major < 15 || major > 18) {
            throw new IllegalArgumentException("--major must be 15, 16, 17 or 18: " + major);
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "quickstart-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            new Quickstart(dir, major, spec.commandLine().getOut()).run(once, stop);
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for the stop above
            }
        }
        return 0;
    }
}
