package dev.cellar.restore.export;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a restore writes its result.
 *
 * @param destination    the new data directory: empty or absent
 * @param tablespaceMap  new locations by tablespace OID or name; others go back where they were
 * @param jobs           threads unpacking chunks and WAL in parallel, at least 1
 * @param remoteWal      a {@code restore_command} that fetches WAL from Cellar (such as one calling
 *                       {@code backupctl wal-get}); empty to stage all needed WAL inside the export
 * @param sync           fsync everything written before reporting success
 */
public record ExportOptions(Path destination, Map<String, Path> tablespaceMap, int jobs, Optional<String> remoteWal,
                            boolean sync) {
    public ExportOptions {
        Objects.requireNonNull(destination, "destination");
        tablespaceMap = Map.copyOf(tablespaceMap);
        if (jobs < 1 || jobs > 256) {
            throw new IllegalArgumentException("jobs must be between 1 and 256: " + jobs);
        }
        Objects.requireNonNull(remoteWal, "remoteWal");
        remoteWal.ifPresent(command -> {
            if (!command.contains("%f") || !command.contains("%p")) {
                throw new IllegalArgumentException("a restore_command needs %f and %p: " + command);
            }
        });
    }

    /** Into {@code destination}, staged WAL, one job per processor, synced. */
    public static ExportOptions into(Path destination) {
        return new ExportOptions(destination, Map.of(), Math.max(1, Runtime.getRuntime().availableProcessors()),
                Optional.empty(), true);
    }

    public ExportOptions withJobs(int value) {
        return new ExportOptions(destination, tablespaceMap, value, remoteWal, sync);
    }

    public ExportOptions withTablespaceMap(Map<String, Path> value) {
        return new ExportOptions(destination, value, jobs, remoteWal, sync);
    }

    public ExportOptions withRemoteWal(String restoreCommand) {
        return new ExportOptions(destination, tablespaceMap, jobs, Optional.of(restoreCommand), sync);
    }
}
