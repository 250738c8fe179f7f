package dev.cellar.server.backup;

import dev.cellar.catalog.BackupRow;
import dev.cellar.catalog.BackupStatus;
import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.JobOutcome;
import dev.cellar.catalog.JobRow;
import dev.cellar.storage.repository.Repository;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a crashed or killed server left behind, cleaned before anything is scheduled: backup
 * directories without {@code backup.json} are deleted (they were never restorable), and jobs
 * still marked running are recorded as failed, with why. Run once at start, while no backup can
 * be running.
 */
public final class InterruptedWork {
    private static final Logger LOG = LoggerFactory.getLogger(InterruptedWork.class);
    static final String INTERRUPTED = "interrupted: the server stopped while the job ran";

    private InterruptedWork() {
    }

    /** What was cleaned. */
    public record Report(List<String> removedBackups, List<Long> failedJobs) {
        public Report {
            removedBackups = List.copyOf(removedBackups);
            failedJobs = List.copyOf(failedJobs);
        }
    }

    /**
     * Drops catalog rows of backups the repository no longer has: a deletion interrupted between
     * removing {@code backup.json} and the catalog row (the repository is the source of truth).
     */
    private static void forgetDeletedBackups(Repository repository, Catalog catalog, String cluster) {
        if (catalog.clusters().find(cluster).isEmpty()) {
            return;
        }
        for (BackupRow row : catalog.backups().list(cluster)) {
            if (row.status() != BackupStatus.RUNNING && row.status() != BackupStatus.FAILED
                    && repository.backup(cluster, row.id()).isEmpty()) {
                try {
                    catalog.backups().delete(row.id());
                    LOG.warn("cluster {}: forgot backup {}: the repository no longer holds it", cluster, row.id());
                } catch (dev.cellar.core.CellarException e) {
                    LOG.error("cluster {}: backup {} is gone from the repository but {}", cluster, row.id(),
                            e.getMessage());
                }
            }
        }
    }

    public static Report clean(Repository repository, Catalog catalog, Clock clock) {
        List<Long> failed = new ArrayList<>();
        for (JobRow job : catalog.jobs().running()) {
            catalog.jobs().finish(job.id(), JobOutcome.FAILED, clock.instant(), INTERRUPTED);
            failed.add(job.id());
        }
        List<String> removed = new ArrayList<>();
        for (String cluster : repository.clusterNames()) {
            for (String id : repository.deleteIncompleteBackups(cluster)) {
                String message = "removed incomplete backup " + id + ": it was interrupted before its backup.json"
                        + " was written, so it was never restorable";
                LOG.warn("cluster {}: {}", cluster, message);
                ClusterRegistration.ensure(catalog, repository, cluster);
                JobRow job = catalog.jobs().start(cluster, BackupJob.TYPE, clock.instant());
                catalog.jobs().finish(job.id(), JobOutcome.FAILED, clock.instant(), message);
                removed.add(cluster + "/" + id);
            }
            forgetDeletedBackups(repository, catalog, cluster);
        }
        return new Report(removed, failed);
    }
}
