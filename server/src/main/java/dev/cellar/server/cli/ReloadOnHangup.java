package dev.cellar.server.cli;

import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads the configuration of {@code backupctl serve}, as for most Unix daemons. The JVM's
 * signal thread only records the signal; a thread of our own, {@code config-reload}, runs the
 * reload, so a slow reload (streams stopping) never holds up signal delivery, and signals that
 * arrive during one are folded into one more reload.
 *
 * <p>The handler comes from {@code sun.misc.Signal}, which JEP 260 keeps accessible in module
 * {@code jdk.unsupported} because the JDK offers nothing else for it. A runtime without it, or one that reserves SIGHUP ({@code -Xrs}),
 * logs a warning and serves on without it: {@code backupctl reload} still works.
 */
final class ReloadOnHangup {
    private static final Logger log = LoggerFactory.getLogger(ReloadOnHangup.class);

    private ReloadOnHangup() {
    }

    /**
     * Runs {@code reload} on a dedicated thread after each SIGHUP (coalesced). {@code reload} must
     * log its own outcome; anything it throws is caught here.
     *
     * @return whether SIGHUP is handled
     */
    static boolean install(Runnable reload) {
        Semaphore pending = new Semaphore(0);
        try {
            Signals.onHangup(pending::release);
        } catch (LinkageError | IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            log.warn("SIGHUP cannot be handled in this Java runtime ({}); reload the configuration with"
                    + " backupctl reload instead", e.toString());
            return false;
        }
        Thread thread = Thread.ofPlatform().daemon().name("config-reload").start(() -> {
            while (true) {
                try {
                    pending.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                pending.drainPermits(); // signals that came meanwhile are served by this reload
                log.info("SIGHUP received: reloading the configuration");
                try {
                    reload.run();
                } catch (RuntimeException e) {
                    // Already logged by the reload itself, with the problems of the file.
                    log.debug("reload after SIGHUP failed", e);
                }
            }
        });
        log.debug("SIGHUP reloads the configuration (thread {})", thread.getName());
        return true;
    }

    /** The one place that names {@code sun.misc}: a missing module fails here, as a LinkageError. */
    private static final class Signals {
        static void onHangup(Runnable handler) {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> handler.run());
        }
    }
}
