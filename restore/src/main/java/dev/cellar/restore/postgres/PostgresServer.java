package dev.cellar.restore.postgres;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One PostgreSQL data directory and the server that runs on it, driven through {@code pg_ctl}.
 * The server always listens on 127.0.0.1 at {@link #port()} and puts its Unix socket in
 * {@link #socketDirectory()}, whatever the copied configuration says, so a data directory restored
 * from production can never bind a production address or socket.
 *
 * <p>Thread-safe for use from several threads, but start/stop/promote calls should not overlap.
 */
public final class PostgresServer {
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(120);

    private final PostgresInstallation installation;
    private final ServerUser user;
    private final Path dataDirectory;
    private final Path socketDirectory;
    private final Path logFile;
    private final int port;
    private final ProgramRunner runner;

    private PostgresServer(PostgresInstallation installation, ServerUser user, Path dataDirectory,
                           Path socketDirectory, Path logFile, int port) {
        this.installation = Objects.requireNonNull(installation, "installation");
        this.user = Objects.requireNonNull(user, "user");
        this.dataDirectory = dataDirectory.toAbsolutePath();
        this.socketDirectory = socketDirectory.toAbsolutePath();
        this.logFile = logFile.toAbsolutePath();
        this.port = port;
        this.runner = new ProgramRunner(user);
        requireShellSafe(this.socketDirectory);
        requireShellSafe(this.dataDirectory);
    }

    /**
     * A server for an existing data directory (a restored backup, a copy). The socket directory and
     * the log file are created next to it, in {@code dataDirectory.getParent()}.
     */
    public static PostgresServer forDataDirectory(PostgresInstallation installation, ServerUser user,
                                                  Path dataDirectory, int port) {
        Path base = dataDirectory.toAbsolutePath().getParent();
        return new PostgresServer(installation, user, dataDirectory, base, base.resolve("postgres.log"), port);
    }

    /**
     * Creates a new cluster with {@code initdb} in {@code dataDirectory}, which must not exist; its
     * parent is created and handed to the server user.
     *
     * @param superuser   name of the bootstrap superuser
     * @param extraInitdbArguments further initdb arguments, for example {@code --no-sync}
     */
    public static PostgresServer initdb(PostgresInstallation installation, ServerUser user, Path dataDirectory,
                                        int port, String superuser, List<String> extraInitdbArguments) {
        Path data = dataDirectory.toAbsolutePath();
        if (Files.exists(data)) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                    "cannot initialise " + data + ": it exists already", "Choose a new directory.");
        }
        try {
            Files.createDirectories(data.getParent());
        } catch (IOException e) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED, "cannot create " + data.getParent() + ": " + e,
                    null, e);
        }
        user.own(data.getParent());
        List<String> command = new ArrayList<>(List.of(installation.program("initdb").toString(),
                "-D", data.toString(), "-U", superuser, "-A", "trust", "-E", "UTF8", "--locale=C"));
        command.addAll(extraInitdbArguments);
        new ProgramRunner(user).run(command, data.getParent(), PG_CTL_TIMEOUT);
        return forDataDirectory(installation, user, data, port);
    }

    /** Starts the server and waits until it accepts connections (or, in recovery, until pg_ctl gives up). */
    public void start() {
        touchLog();
        String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + socketDirectory;
        RunningServers.add(this);
        try {
            runner.run(List.of(pgCtl(), "-D", dataDirectory.toString(), "-l", logFile.toString(),
                    "-w", "-t", String.valueOf(PG_CTL_TIMEOUT.toSeconds()), "-o", options, "start"),
                    dataDirectory.getParent(), PG_CTL_TIMEOUT.plusSeconds(10));
        } catch (CellarException e) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                    "PostgreSQL " + installation.major() + " did not start on " + dataDirectory + ": " + e.getMessage()
                            + System.lineSeparator() + "server log " + logFile + ":" + System.lineSeparator() + logTail(),
                    "Read the server log above.", e);
        }
    }

    /** Stops the server; succeeds if it was not running. */
    public void stop(ShutdownMode mode) {
        if (isRunning()) {
            runner.run(List.of(pgCtl(), "-D", dataDirectory.toString(), "-m", mode.pgCtlName(),
                    "-w", "-t", String.valueOf(PG_CTL_TIMEOUT.toSeconds()), "stop"), dataDirectory.getParent(),
                    PG_CTL_TIMEOUT.plusSeconds(10));
        }
        RunningServers.remove(this);
    }

    void stopQuietly() {
        try {
            stop(ShutdownMode.IMMEDIATE);
        } catch (RuntimeException ignored) {
            // Shutdown hook: nothing useful can be done about a server that refuses to stop.
        }
    }

    /**
     * Kills the postmaster with SIGKILL, as a crash would, and waits until it is gone. Its backends
     * notice and exit on their own; {@code postmaster.pid} stays behind, as after a real crash.
     */
    public void kill() {
        postmaster().ifPresent(handle -> {
            handle.destroyForcibly();
            try {
                handle.onExit().get(PG_CTL_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED, "the postmaster of " + this
                        + " did not die after SIGKILL: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        RunningServers.remove(this);
    }

    /** Promotes a standby and waits until it accepts writes. */
    public void promote() {
        runner.run(List.of(pgCtl(), "-D", dataDirectory.toString(), "-w", "-t",
                String.valueOf(PG_CTL_TIMEOUT.toSeconds()), "promote"), dataDirectory.getParent(), PG_CTL_TIMEOUT);
    }

    /** Whether a postmaster is alive for this data directory. */
    public boolean isRunning() {
        return postmaster().isPresent();
    }

    /**
     * The live postmaster of this data directory. The pid in {@code postmaster.pid} alone is not
     * enough: after a crash the file stays and its pid may have been reused by another process,
     * which must never be signalled. The process must be a {@code postgres} with {@code -D} naming
     * this directory.
     */
    private java.util.Optional<ProcessHandle> postmaster() {
        OptionalLong pid = postmasterPid();
        if (pid.isEmpty()) {
            return java.util.Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive).filter(h -> {
            ProcessHandle.Info info = h.info();
            boolean isPostgres = info.command().map(c -> c.endsWith("/postgres") || c.equals("postgres")).orElse(false);
            boolean servesThisDirectory = info.arguments().map(args -> java.util.Arrays.asList(args)
                    .contains(dataDirectory.toString())).orElse(false);
            return isPostgres && servesThisDirectory;
        });
    }

    /** The postmaster's process id from {@code postmaster.pid}, if the file exists. */
    public OptionalLong postmasterPid() {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() || lines.getFirst().isBlank()
                    ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.getFirst().strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Appends lines to a file of the data directory ({@code postgresql.conf}, {@code pg_hba.conf},
     * {@code postgresql.auto.conf}); later settings override earlier ones. Creates the file if needed.
     */
    public void appendToFile(String fileName, List<String> lines) {
        Path file = dataDirectory.resolve(fileName);
        try {
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED, "cannot write " + file + ": " + e, null, e);
        }
        user.own(file);
    }

    /** Writes (replacing) a file of the data directory, owned by the server user, mode 0600. */
    public void writeFile(String fileName, String content) {
        Path file = dataDirectory.resolve(fileName);
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED, "cannot write " + file + ": " + e, null, e);
        }
        user.own(file);
    }

    /** The last lines of the server log, for error messages. */
    public String logTail() {
        try {
            return ProgramRunner.tail(Files.readString(logFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void touchLog() {
        try {
            if (!Files.exists(logFile)) {
                Files.createFile(logFile);
            }
        } catch (IOException e) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED, "cannot create " + logFile + ": " + e, null, e);
        }
        user.own(logFile);
    }

    private String pgCtl() {
        return installation.program("pg_ctl").toString();
    }

    private static void requireShellSafe(Path path) {
        // pg_ctl hands -o options to a shell; a path with blanks or quotes would be split or injected.
        if (!path.toString().matches("[A-Za-z0-9_./+@:=-]+")) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                    "unsupported characters in server path " + path,
                    "Use a directory path without blanks or quotes.");
        }
    }

    public PostgresInstallation installation() {
        return installation;
    }

    public ServerUser user() {
        return user;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public Path socketDirectory() {
        return socketDirectory;
    }

    public Path logFile() {
        return logFile;
    }

    /** Always 127.0.0.1: servers Cellar starts are reachable only from this machine. */
    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    @Override
    public String toString() {
        return "PostgreSQL " + installation.major() + " on 127.0.0.1:" + port + " (" + dataDirectory + ")";
    }
}
