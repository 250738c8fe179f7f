package dev.cellar.restore.postgres;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Servers this JVM started and has not stopped. {@code pg_ctl} daemonizes the postmaster, so a JVM
 * that exits without stopping its servers would orphan them; one shutdown hook stops them all.
 * (A JVM killed with SIGKILL runs no hook: callers that start servers in bulk also sweep stale
 * ones left by earlier runs.)
 */
final class RunningServers {
    private static final Set<PostgresServer> SERVERS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("cellar-postgres-stopper").unstarted(() -> {
            for (PostgresServer server : SERVERS) {
                server.stopQuietly();
            }
        }));
    }

    private RunningServers() {
    }

    static void add(PostgresServer server) {
        SERVERS.add(server);
    }

    static void remove(PostgresServer server) {
        SERVERS.remove(server);
    }
}
