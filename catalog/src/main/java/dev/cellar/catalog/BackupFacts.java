package dev.cellar.catalog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The facts of a backup that no later write may change: what it is (cluster, kind, parent, label,
 * start, PostgreSQL version, origin) and, once known, where it ends. A restore relies on them, so a
 * write that would change one is refused rather than applied. Stateless.
 */
final class BackupFacts {
    private BackupFacts() {
    }

    /**
     * @throws dev.cellar.core.CellarException {@link dev.cellar.core.ErrorCode#CATALOG_FAILED} naming every
     *                                         fixed fact that {@code offered} would change
     */
    static void checkUnchanged(Path catalog, BackupRow known, BackupRow offered) {
        List<String> changes = new ArrayList<>();
        fixed(changes, "cluster", known.cluster(), offered.cluster());
        fixed(changes, "kind", known.kind(), offered.kind());
        fixed(changes, "parent", known.parentId(), offered.parentId());
        fixed(changes, "label", known.label(), offered.label());
        fixed(changes, "start LSN", known.startLsn(), offered.startLsn());
        fixed(changes, "start timeline", known.startTimeline(), offered.startTimeline());
        fixed(changes, "start time", known.startTime(), offered.startTime());
        fixed(changes, "PostgreSQL version", known.pgVersion(), offered.pgVersion());
        fixed(changes, "origin", known.backupFrom(), offered.backupFrom());
        fixedOnceKnown(changes, "end LSN", known.endLsn(), offered.endLsn());
        fixedOnceKnown(changes, "end timeline", known.endTimeline(), offered.endTimeline());
        fixedOnceKnown(changes, "checkpoint LSN", known.checkpointLsn(), offered.checkpointLsn());
        fixedOnceKnown(changes, "end time", known.endTime(), offered.endTime());
        if (!changes.isEmpty()) {
            throw CatalogErrors.failure(catalog,
                    "backup %s is catalogued with %s".formatted(known.id(), String.join("; ", changes)),
                    "what a backup is and where it ends never change once recorded; a second writer with "
                            + "other facts means two backups share one ID or the repository was altered");
        }
    }

    private static void fixed(List<String> changes, String fact, Object known, Object offered) {
        if (!Objects.equals(known, offered)) {
            changes.add("%s %s, not %s".formatted(fact, describe(known), describe(offered)));
        }
    }

    private static void fixedOnceKnown(List<String> changes, String fact, Optional<?> known, Optional<?> offered) {
        if (known.isPresent()) {
            fixed(changes, fact, known, offered);
        }
    }

    private static String describe(Object value) {
        if (value instanceof Optional<?> optional) {
            return optional.map(BackupFacts::describe).orElse("(none)");
        }
        return value instanceof Enum<?> constant ? Keywords.of(constant) : String.valueOf(value);
    }
}
