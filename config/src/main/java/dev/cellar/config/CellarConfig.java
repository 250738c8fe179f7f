package dev.cellar.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole configuration file, validated. Immutable; {@link #toString()} shows no secret.
 * Obtain one from {@link ConfigLoader}.
 *
 * @param clusters in file order; may be empty (a server with no clusters yet)
 */
public record CellarConfig(RepositorySettings repository, ServerSettings server, Defaults defaults,
        Optional<OffsiteSettings> offsite, List<ClusterConfig> clusters) {
    public CellarConfig {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(offsite, "offsite");
        clusters = List.copyOf(clusters);
    }

    /** The cluster with this name, if configured. */
    public Optional<ClusterConfig> cluster(String name) {
        return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
