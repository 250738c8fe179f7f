package dev.cellar.server.cli;

import com.fasterxml.jackson.databind.JavaType;
import dev.cellar.server.operations.CatalogViews;
import dev.cellar.server.view.BackupDetail;
import dev.cellar.server.view.BackupView;
import dev.cellar.server.view.ClusterSummary;
import dev.cellar.server.view.ViewJson;
import dev.cellar.server.view.WalStatus;
import dev.cellar.storage.repository.Repository;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Where the read-only commands (list-backups, show-backup, wal-status) get their answers: the
 * running server's API ({@code --server}, or {@code --config} while the server runs), else the
 * repository's catalog directly ({@code --repository}, or {@code --config} when no server answers
 * or it has no token), so they also work for disaster recovery ({@link ServerChoice}).
 */
interface CatalogReads extends AutoCloseable {
    List<ClusterSummary> clusters();

    List<BackupView> backups(String cluster);

    BackupDetail backup(String id);

    WalStatus wal(String cluster);

    @Override
    void close();

    static CatalogReads open(RepositoryOptions options, PrintWriter err) {
        Optional<ApiClient> api = ServerChoice.server(options, err, "reading the repository's catalog directly");
        if (api.isPresent()) {
            return new Remote(api.get());
        }
        Repository repository = options.openRepository();
        RepositoryOptions.OpenedCatalog opened = options.openCatalog(repository, err);
        return new Local(opened, new CatalogViews(opened.catalog()));
    }

    record Remote(ApiClient api) implements CatalogReads {
        @Override
        public List<ClusterSummary> clusters() {
            return api.get("/api/v1/clusters",
                    ViewJson.MAPPER.getTypeFactory().constructCollectionType(List.class, ClusterSummary.class));
        }

        @Override
        public List<BackupView> backups(String cluster) {
            JavaType type = ViewJson.MAPPER.getTypeFactory().constructCollectionType(List.class, BackupView.class);
            return api.get("/api/v1/clusters/" + encode(cluster) + "/backups", type);
        }

        @Override
        public BackupDetail backup(String id) {
            return api.get("/api/v1/backups/" + encode(id), BackupDetail.class);
        }

        @Override
        public WalStatus wal(String cluster) {
            return api.get("/api/v1/clusters/" + encode(cluster) + "/wal", WalStatus.class);
        }

        @Override
        public void close() {
        }

        static String encode(String segment) {
            return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }

    record Local(RepositoryOptions.OpenedCatalog opened, CatalogViews views) implements CatalogReads {
        @Override
        public List<ClusterSummary> clusters() {
            return views.clusters();
        }

        @Override
        public List<BackupView> backups(String cluster) {
            return views.backups(cluster);
        }

        @Override
        public BackupDetail backup(String id) {
            return views.backup(id);
        }

        @Override
        public WalStatus wal(String cluster) {
            return views.wal(cluster);
        }

        @Override
        public void close() {
            opened.close();
        }
    }
}
