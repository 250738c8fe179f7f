package dev.cellar.restore.export;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a restore writes its result.
 *
 * @param destination    the new data directory: empty or absent
 * @param tablespaceMap  new locations by tablespace OID or name; others go back where they were
 * @param jobs           threads unpacking chunks and WAL in parallel, at least 1
 * @param remoteWal      a {@code restore_command} that fetches WAL from Cellar (such as one calling
 *                       {@code backupctl wal-get}); empty to stage all needed WAL inside the export
 * @param sync           fsync everything written before reporting success
 * @param databases      the databases to restore with their data (the system ones always are); the
 *                       others come back empty and must be dropped; empty for all
 */
public record ExportOptions(Path destination, Map<String, Path> tablespaceMap, int jobs, Optional<String> remoteWal,
                            boolean sync, Set<String> databases) {
    public ExportOptions {
        Objects.requireNonNull(destination, "destination");
        tablespaceMap = Map.copyOf(tablespaceMap);
        if (jobs < 1 || jobs > 256) {
            throw new IllegalArgumentException("jobs must be between 1 and 256: " + jobs);
        }
        Objects.requireNonNull(remoteWal, "remoteWal");
        databases = Set.copyOf(databases);
        remoteWal.ifPresent(command -> {
            if (!command.contains("%f") || !command.contains("%p")) {
                throw new IllegalArgumentException("a restore_command needs %f and %p: " + command);
            }
        });
    }

    /** Into {@code destination}, staged WAL, one job per processor, synced. */
    public static ExportOptions into(Path destination) {
        return new ExportOptions(destination, Map.of(), Math.max(1, Runtime.getRuntime().availableProcessors()),
                Optional.empty(), true, Set.of());
    }

    public ExportOptions withJobs(int value) {
        return new ExportOptions(destination, tablespaceMap, value, remoteWal, sync, databases);
    }

    public ExportOptions withTablespaceMap(Map<String, Path> value) {
        return new ExportOptions(destination, value, jobs, remoteWal, sync, databases);
    }

    public ExportOptions withRemoteWal(String restoreCommand) {
        return new ExportOptions(destination, tablespaceMap, jobs, Optional.of(restoreCommand), sync, databases);
    }

    public ExportOptions withSync(boolean value) {
        return new ExportOptions(destination, tablespaceMap, jobs, remoteWal, value, databases);
    }

    public ExportOptions withDatabases(Set<String> names) {
        return new ExportOptions(destination, tablespaceMap, jobs, remoteWal, sync, names);
    }
}
