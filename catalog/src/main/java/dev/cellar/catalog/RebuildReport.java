package dev.cellar.catalog;

import java.util.List;

/**
 * What {@link Catalog#rebuildFrom} found. Incomplete and damaged backups are listed here and never
 * catalogued as restorable; {@code problems} names every object that could not be read or verified
 * (those are left out, so the WAL coverage shows them as gaps).
 */
public record RebuildReport(int clusters, int timelines, int walSegments, int gaps, int completeBackups,
                            List<String> incompleteBackups, List<String> damagedBackups, List<String> problems) {
    public RebuildReport {
        incompleteBackups = List.copyOf(incompleteBackups);
        damagedBackups = List.copyOf(damagedBackups);
        problems = List.copyOf(problems);
    }
}
