package dev.cellar.restore.export;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a restore wrote.
 *
 * @param destination     the data directory
 * @param tablespaces     where each tablespace went, by OID
 * @param dataBytes       bytes of files unpacked
 * @param walFiles        WAL and history files staged
 * @param walBytes        their bytes
 * @param settings        the settings written to {@code postgresql.auto.conf}
 * @param removed         what belonged to the source cluster and was removed or overridden, in words
 * @param elapsed         how long it took
 */
public record ExportResult(Path destination, Map<Long, Path> tablespaces, long dataBytes, int walFiles, long walBytes,
                           Map<String, String> settings, List<String> removed, Duration elapsed) {
    public ExportResult {
        tablespaces = Map.copyOf(tablespaces);
        settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
        removed = List.copyOf(removed);
    }
}
