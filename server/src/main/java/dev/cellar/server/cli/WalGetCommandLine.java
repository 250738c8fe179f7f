package dev.cellar.server.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code restore_command} that {@code restore --remote-wal} writes: {@code backupctl ... wal-get
 * --cluster C %f %p}, reading the repository or asking a server. Every word is quoted for
 * {@code /bin/sh} (which PostgreSQL runs it with) and every {@code %} in it doubled, since
 * PostgreSQL replaces {@code %f}, {@code %p}, {@code %r} and {@code %%} in the command (16 and later
 * refuse any other {@code %} sequence).
 */
final class WalGetCommandLine {
    /**
     * Set by the distribution's launcher to its own path, so that the command names this very
     * backupctl rather than whatever the restored server finds on its PATH.
     */
    static final String LAUNCHER_VARIABLE = "CELLAR_BACKUPCTL";

    private WalGetCommandLine() {
    }

    /** The launcher running this command when the distribution's script started it, else {@code backupctl}. */
    static String program(Map<String, String> environment) {
        String launcher = environment.get(LAUNCHER_VARIABLE);
        return launcher == null || launcher.isBlank() ? "backupctl" : launcher;
    }

    /** Reads the repository at {@code repository} (on the machine where the restored server runs). */
    static String forRepository(String program, Path repository, String cluster) {
        return word(program) + " --repository " + word(repository.toAbsolutePath().toString()) + tail(cluster);
    }

    /** Asks the server at {@code server} with the token in {@code tokenFile}. */
    static String forServer(String program, URI server, Path tokenFile, String cluster) {
        return word(program) + " --server " + word(server.toString()) + " --token-file "
                + word(tokenFile.toAbsolutePath().toString()) + tail(cluster);
    }

    private static String tail(String cluster) {
        return " wal-get --cluster " + word(cluster) + " %f %p";
    }

    /** A word for /bin/sh: single-quoted, a quote inside as '\'', and every % doubled for PostgreSQL. */
    static String word(String value) {
        return ("'" + value.replace("'", "'\\''") + "'").replace("%", "%%");
    }
}
