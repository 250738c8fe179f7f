package dev.cellar.server.cli;

import dev.cellar.catalog.Catalog;
import dev.cellar.config.CellarConfig;
import dev.cellar.config.ConfigLoader;
import dev.cellar.restore.PointInTimeRestore;
import dev.cellar.storage.local.LocalStore;
import dev.cellar.storage.repository.Repository;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Where a command finds the repository: through the server's configuration, or a bare repository
 * path (disaster recovery: no server, maybe no catalog). The catalog is
 * {@code <repository>/catalog.db}; when it is missing, or with {@code --rebuild-catalog}, a scratch
 * catalog is rebuilt from the repository alone into a temporary file (the repository is only read).
 */
final class RepositoryOptions {
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(names = "--rebuild-catalog",
            description = "Ignore <repository>/catalog.db and rebuild a scratch catalog from the repository.")
    boolean rebuildCatalog;

    static final class Source {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The server's configuration file.")
        Path config;

        @Option(names = "--repository", paramLabel = "PATH",
                description = "A repository directory, without a server (reads the repository layout directly).")
        Path repository;

        @Option(names = "--server", paramLabel = "URL",
                description = "The admin API of a running server, e.g. https://127.0.0.1:8432 (with --token-file).")
        java.net.URI server;
    }

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the admin API token (with --server; --config reads server.token_file).")
    Path tokenFile;

    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "PEM certificate(s) to trust for an https:// server: its CA, or the server's own certificate"
                    + " when self-signed (default: the JDK's trust store; --config trusts server.tls.certificate_file).")
    Path caFile;

    Path repositoryPath() {
        if (source != null && source.server != null) {
            throw new IllegalArgumentException("this command reads the repository itself: give --config FILE or"
                    + " --repository PATH instead of --server");
        }
        if (source == null) {
            throw new IllegalArgumentException("give the server's configuration (--config FILE) or a repository"
                    + " (--repository PATH) before the command, e.g. backupctl --repository /var/lib/cellar list-backups");
        }
        if (source.repository != null) {
            return source.repository.toAbsolutePath().normalize();
        }
        CellarConfig config = ConfigLoader.load(source.config);
        return config.repository().path();
    }

    Repository openRepository() {
        Path path = repositoryPath();
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("the repository " + path + " is not a directory");
        }
        return new Repository(LocalStore.open(path));
    }

    /** The catalog: the repository's own, or a scratch one rebuilt from it (said on {@code err}). */
    OpenedCatalog openCatalog(Repository repository, PrintWriter err) {
        Path file = repositoryPath().resolve("catalog.db");
        if (!rebuildCatalog && Files.isRegularFile(file)) {
            return new OpenedCatalog(Catalog.open(file), false);
        }
        err.println((rebuildCatalog ? "rebuilding" : "no catalog at " + file + ": rebuilding")
                + " a scratch catalog from the repository (reads every WAL file once)");
        return new OpenedCatalog(PointInTimeRestore.scratchCatalog(repository,
                Path.of(System.getProperty("java.io.tmpdir"))), true);
    }

    /** A catalog for one command; a scratch one is deleted when closed. */
    record OpenedCatalog(Catalog catalog, boolean scratch) implements AutoCloseable {
        @Override
        public void close() {
            catalog.close();
            if (scratch) {
                for (String suffix : new String[] {"", "-wal", "-shm", ".lock"}) {
                    try {
                        Files.deleteIfExists(Path.of(catalog.file() + suffix));
                    } catch (java.io.IOException e) {
                        // a temporary file left behind; the OS cleans its temporary directory
                    }
                }
            }
        }
    }
}
