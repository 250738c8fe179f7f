package dev.cellar.server.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code backupctl --config F serve} as a child JVM on the test class path, output to a log file. */
public final class ServerProcess {
    private ServerProcess() {
    }

    public static Process start(Path config, Path log) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.cellar.server.cli.BackupCtl", "--config", config.toString(), "serve");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
