package dev.cellar.server.backup;

import dev.cellar.catalog.Catalog;
import dev.cellar.catalog.RepositoryRecords;
import dev.cellar.storage.repository.Repository;
import dev.cellar.storage.repository.StoredHistory;
import dev.cellar.storage.repository.WalGap;
import dev.cellar.walreceiver.stream.WalStreamListener;

/**
 * Catalogues what a WAL stream archives, then lets backups waiting for that WAL become
 * restorable. The repository already holds each object when this is called; the catalog follows
 * (and a rebuild from the repository would produce the same rows).
 */
public final class CatalogWalRecorder implements WalStreamListener {
    private final Catalog catalog;
    private final Repository repository;
    private final BackupStatusRefresher refresher;

    public CatalogWalRecorder(Catalog catalog, Repository repository) {
        this.catalog = catalog;
        this.repository = repository;
        this.refresher = new BackupStatusRefresher(catalog);
    }

    @Override
    public void segmentArchived(String cluster, Repository.WalPut put) {
        put.object().ifPresent(object -> {
            ClusterRegistration.ensure(catalog, repository, cluster);
            catalog.wal().record(RepositoryRecords.walSegment(put.wal(), object, true, false));
            refresher.refresh(cluster);
        });
    }

    @Override
    public void historyArchived(String cluster, StoredHistory history) {
        ClusterRegistration.ensure(catalog, repository, cluster);
        catalog.timelines().record(cluster, history.history(), history.sha256());
    }

    @Override
    public void gapRecorded(String cluster, WalGap gap) {
        ClusterRegistration.ensure(catalog, repository, cluster);
        catalog.walGaps().record(cluster, RepositoryRecords.gapRange(gap), gap.detectedAt(), gap.reason());
    }
}
