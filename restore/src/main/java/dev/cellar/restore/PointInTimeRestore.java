package dev.cellar.restore;

import dev.cellar.catalog.Catalog;
import dev.cellar.core.CellarException;
import dev.cellar.core.ErrorCode;
import dev.cellar.restore.export.ExportOptions;
import dev.cellar.restore.export.ExportResult;
import dev.cellar.restore.export.RestoreExport;
import dev.cellar.restore.plan.CatalogFacts;
import dev.cellar.restore.plan.RepositoryStopLocator;
import dev.cellar.restore.plan.RestoreFacts;
import dev.cellar.restore.plan.RestorePlan;
import dev.cellar.restore.plan.RestorePlanner;
import dev.cellar.restore.plan.RestoreTarget;
import dev.cellar.storage.repository.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A point-in-time restore: plan against the catalog (refusing before anything is written), then
 * export. The catalog may be the server's, or one rebuilt from the bare repository when the server
 * and its catalog are gone ({@link #scratchCatalog}).
 */
public final class PointInTimeRestore {
    private PointInTimeRestore() {
    }

    /** The plan for {@code target}, read from {@code catalog} and the repository's WAL; writes nothing. */
    public static RestorePlan plan(Repository repository, Catalog catalog, String cluster, RestoreTarget target,
                                   Clock clock) {
        RestoreFacts facts = CatalogFacts.load(catalog, cluster, clock.instant());
        return RestorePlanner.plan(facts, target, new RepositoryStopLocator(repository, facts));
    }

    /** Writes the data directory of {@code plan}. */
    public static ExportResult export(Repository repository, RestorePlan plan, ExportOptions options, Clock clock) {
        return new RestoreExport(repository, plan, options, clock).run();
    }

    /**
     * A catalog rebuilt from the repository alone, in a new file under {@code directory}: for
     * restores without a server (disaster recovery). The repository is only read.
     */
    public static Catalog scratchCatalog(Repository repository, Path directory) {
        try {
            Files.createDirectories(directory);
            Path file = Files.createTempFile(directory, "cellar-scratch-catalog-", ".db");
            Files.delete(file); // the catalog creates it with its schema
            Catalog catalog = Catalog.open(file);
            catalog.rebuildFrom(repository);
            return catalog;
        } catch (IOException e) {
            throw new CellarException(ErrorCode.RESTORE_FAILED, "cannot create a scratch catalog in " + directory
                    + ": " + e, "choose a writable directory for temporary files", e);
        }
    }
}
