package dev.cellar.server.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One run of a shell script to its end: exit code, stdout and stderr. */
public record ScriptRun(int exitCode, String stdout, String stderr) {
    /**
     * Runs {@code command} with exactly {@code environment} (nothing inherited), in {@code workDirectory}.
     *
     * @throws AssertionError when it does not end within 60 s
     */
    public static ScriptRun run(List<String> command, Map<String, String> environment, Path workDirectory)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDirectory, "stdout", ".txt");
        Path err = Files.createTempFile(workDirectory, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDirectory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within 60 s");
        }
        return new ScriptRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
