package dev.cellar.server.view;

import dev.cellar.restore.export.ExportResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a restore wrote (docs/restore.md, "Export").
 *
 * @param destination the data directory (on the machine that wrote it)
 * @param tablespaces where each tablespace went, by OID
 * @param walFiles    WAL and history files staged in {@code cellar_wal/}; 0 with a remote restore_command
 * @param settings    the recovery settings written to {@code postgresql.auto.conf}, in order
 * @param removed     what belonged to the source cluster and was removed or overridden, in words
 * @param seconds     how long it took
 */
public record RestoreResultView(String destination, Map<String, String> tablespaces, long dataBytes, int walFiles,
                                long walBytes, Map<String, String> settings, List<String> removed, double seconds) {

    public static RestoreResultView of(ExportResult result) {
        Map<String, String> tablespaces = new LinkedHashMap<>();
        result.tablespaces().forEach((oid, path) -> tablespaces.put(String.valueOf(oid), path.toString()));
        return new RestoreResultView(result.destination().toString(), tablespaces, result.dataBytes(),
                result.walFiles(), result.walBytes(), new LinkedHashMap<>(result.settings()), result.removed(),
                result.elapsed().toMillis() / 1000.0);
    }
}
