package dev.cellar.restore.export;

import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code tablespace_map} file of a restored data directory: one {@code OID path} line per
 * tablespace. PostgreSQL reads it when recovery starts and creates {@code pg_tblspc/OID} links to
 * the paths; a backslash escapes the next character ({@code read_tablespace_map}), so backslashes
 * and line breaks in a path are escaped. Pure.
 */
final class TablespaceMap {
    private TablespaceMap() {
    }

    static String format(Map<Long, Path> locations) {
        StringBuilder map = new StringBuilder();
        locations.forEach((oid, path) -> {
            map.append(oid).append(' ');
            for (char c : path.toString().toCharArray()) {
                if (c == '\\' || c == '\n' || c == '\r') {
                    map.append('\\');
                }
                map.append(c);
            }
            map.append('\n');
        });
        return map.toString();
    }
}
