package dev.cellar.server.cli;

import dev.cellar.config.ConfigLoader;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * Whether a command that works both through the server and on the repository itself (restore,
 * list-backups, show-backup, wal-status, list-clusters) goes through the server: always with
 * {@code --server}; with {@code --config} when that configuration's server has a token and
 * answers; never with {@code --repository}. Falling back is said on standard error.
 */
final class ServerChoice {
    private ServerChoice() {
    }

    /**
     * @param otherwise what the command does without the server, for the message
     * @throws ApiClient.ServerUnreachable when {@code --server} names a server that does not answer
     */
    static Optional<ApiClient> server(RepositoryOptions options, PrintWriter err, String otherwise) {
        RepositoryOptions.Source source = options.source;
        if (source == null || (source.server == null && source.config == null)) {
            return Optional.empty();
        }
        if (source.server == null && options.tokenFile == null
                && ConfigLoader.load(source.config).server().token().isEmpty()) {
            err.println("the configuration " + source.config + " sets no server.token, so its server answers no"
                    + " API request; " + otherwise);
            return Optional.empty();
        }
        ApiClient api = ApiClient.from(options);
        try {
            api.get("/api/v1/clusters", Object.class);
            return Optional.of(api);
        } catch (ApiClient.ServerUnreachable e) {
            if (source.server != null) {
                throw e;
            }
            err.println("no server answers at " + api.base() + "; " + otherwise);
            return Optional.empty();
        }
    }
}
