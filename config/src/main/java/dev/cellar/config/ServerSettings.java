package dev.cellar.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The admin API ({@code server:}). Without a token the server must refuse to start the API rather
 * than serve it unauthenticated; the config only records that none was given.
 *
 * @param maxConcurrentBackups base backups at once across all clusters
 */
public record ServerSettings(ListenAddress listen, Optional<Secret> token, int maxConcurrentBackups) {
    public ServerSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(token, "token");
    }
}
