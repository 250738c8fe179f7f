package dev.cellar.restore.export;

import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.storage.repository.BackupInfo;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A selective restore ({@code --databases}): which databases come back with their data and which
 * come back empty. As pgBackRest does, an excluded database keeps its directory, its
 * {@code PG_VERSION} and {@code pg_filenode.map}, but every relation file is a sparse, zero-filled
 * file of its size: recovery's full-page images overwrite whatever WAL touches (so replay works),
 * the rest stays zero, and the database must be dropped once the server is promoted. The system
 * databases ({@code postgres}, {@code template0}, {@code template1}) are always restored. Pure.
 */
final class DatabaseSelection {
    static final Set<String> SYSTEM = Set.of("postgres", "template0", "template1");
    /** A relation segment file: {@code 16384}, {@code 16384_fsm}, {@code 16384_vm.1}, {@code 16384_init}. */
    private static final Pattern RELATION_FILE = Pattern.compile("[0-9]+(_(fsm|vm|init))?(\\.[0-9]+)?");

    private final Map<Long, String> excluded;

    private DatabaseSelection(Map<Long, String> excluded) {
        this.excluded = excluded;
    }

    /** Everything restored. */
    static DatabaseSelection all() {
        return new DatabaseSelection(Map.of());
    }

    /**
     * @param requested the databases to restore with their data; empty for all
     * @throws CellarException {@link ErrorCode#RESTORE_FAILED} naming the backup's databases if one
     *                         requested is not in the backup
     */
    static DatabaseSelection of(Set<String> requested, String backupId, List<BackupInfo.Database> databases) {
        if (requested.isEmpty()) {
            return all();
        }
        Set<String> known = databases.stream().map(BackupInfo.Database::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        Set<String> unknown = new LinkedHashSet<>(requested);
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new CellarException(ErrorCode.RESTORE_FAILED, "backup %s has no database %s".formatted(backupId,
                    String.join(", ", unknown)), "its databases: " + String.join(", ", known));
        }
        Map<Long, String> excluded = new LinkedHashMap<>();
        for (BackupInfo.Database database : databases) {
            if (!requested.contains(database.name()) && !SYSTEM.contains(database.name())) {
                excluded.put(database.oid(), database.name());
            }
        }
        return new DatabaseSelection(Map.copyOf(excluded));
    }

    boolean isSelective() {
        return !excluded.isEmpty();
    }

    /**
     * Whether the file at {@code manifestPath} (relative to the data directory, tablespace files
     * under {@code pg_tblspc/<oid>/}) is a relation file of an excluded database.
     */
    boolean zeroes(String manifestPath) {
        if (excluded.isEmpty()) {
            return false;
        }
        String[] parts = manifestPath.split("/");
        // base/<db>/<file> or pg_tblspc/<ts>/<PG_version_catversion>/<db>/<file>
        String database;
        if (parts.length == 3 && parts[0].equals("base")) {
            database = parts[1];
        } else if (parts.length == 5 && parts[0].equals("pg_tblspc")) {
            database = parts[3];
        } else {
            return false;
        }
        String file = parts[parts.length - 1];
        try {
            return excluded.containsKey(Long.parseLong(database)) && RELATION_FILE.matcher(file).matches();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The excluded databases, for the output: {@code reports (OID 16390)}. */
    List<String> excludedNames() {
        return excluded.entrySet().stream().map(e -> e.getValue() + " (OID " + e.getKey() + ")").sorted().toList();
    }
}
