package dev.cellar.restore.postgres;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a PostgreSQL program as the server user and collects its output. */
final class ProgramRunner {
    record Result(int exitCode, String output) {
    }

    private final ServerUser user;

    ProgramRunner(ServerUser user) {
        this.user = user;
    }

    /** Runs {@code command}; throws naming the command and its output when it fails. */
    String run(List<String> command, Path workingDirectory, Duration timeout) {
        Result result = runAllowingFailure(command, workingDirectory, timeout);
        if (result.exitCode() != 0) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                    Path.of(command.getFirst()).getFileName() + " failed with exit code " + result.exitCode()
                            + ": " + String.join(" ", command) + System.lineSeparator() + tail(result.output()));
        }
        return result.output();
    }

    Result runAllowingFailure(List<String> command, Path workingDirectory, Duration timeout) {
        List<String> full = new ArrayList<>(user.commandPrefix());
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).directory(workingDirectory.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        // Messages in English and a locale every system has; the data directory's locale is set by initdb.
        env.put("LC_ALL", "C");
        env.put("LANG", "C");
        env.remove("PGDATA");
        env.remove("PGPORT");
        env.remove("PGHOST");
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            // Read everything first: pg_ctl's child keeps the pipe only until it has redirected its
            // own output, and waiting before reading could fill the pipe and deadlock.
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                        String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                    "cannot run " + String.join(" ", full) + ": " + e, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CellarException(ErrorCode.POSTGRES_SERVER_FAILED,
                    "interrupted while running " + String.join(" ", command), null, e);
        }
    }

    static String tail(String text) {
        String[] lines = text.strip().split("\n");
        int from = Math.max(0, lines.length - 20);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
